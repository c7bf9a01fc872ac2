// BitsWatch.Attributes.cs - parameter attributes of the module's commands.
//
// Compiled by the module's Add-Type together with BitsWatch.Native.cs (into one
// assembly; Add-Type references System.Management.Automation). Kept apart
// from BitsWatch.Native.cs, which compiles without PowerShell (tests/csharp).
// C# 5 only, like BitsWatch.Native.cs (Windows PowerShell 5.1's Add-Type).
// (A PowerShell class cannot do this: an attribute class defined in the .psm1
// is not found when the command is called from outside the module.)
using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace BitsWatch.Native
{
    // -JobId takes GUIDs, GUID strings and objects with a JobId property
    // (Get-BitsTransfer's BitsJob, live or deserialized; BitsWatch.JobStatus):
    // each object becomes its JobId before PowerShell converts to Guid[].
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class JobIdTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = Unwrap(inputData);
            IEnumerable list = value as IEnumerable;
            if (list == null || value is string)
                return One(inputData);
            List<object> result = new List<object>();
            foreach (object item in list)
                result.Add(One(item));
            return result.ToArray();
        }

        private static object Unwrap(object item)
        {
            PSObject ps = item as PSObject;
            return ps != null ? ps.BaseObject : item;
        }

        private static object One(object item)
        {
            if (item == null)
                return null;
            object value = Unwrap(item);
            if (value is Guid || value is string)
                return value;
            PSPropertyInfo property = PSObject.AsPSObject(item).Properties["JobId"];
            return property != null ? property.Value : item;
        }
    }
}
