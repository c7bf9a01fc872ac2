# GetBitsJobStatus.Tests.ps1 - Get-BitsJobStatus against the simulator: every
# parameter set, pipeline input, the object's properties, errors.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    Import-Module $script:ModuleDir -Force -ErrorAction Stop

    $script:Running = [Guid]'a1000000-0000-0000-0000-000000000001'
    $script:Failed = [Guid]'a1000000-0000-0000-0000-000000000002'
    $script:Unnamed = [Guid]'a1000000-0000-0000-0000-000000000003'
    $script:Reply = [Guid]'a1000000-0000-0000-0000-000000000004'
    $script:Missing = [Guid]'a1000000-0000-0000-0000-0000000000ff'
    $script:Scenario = @'
job {a1000000-0000-0000-0000-000000000001} name="Nightly build" description="the nightly" owner="CORP\\alice" priority=1 errors=2
at 0 TRANSFERRING bytes=0/41943040 files=0/2
at 60000 TRANSFERRING bytes=41943040/41943040 files=2/2
at 60001 TRANSFERRED
job {a1000000-0000-0000-0000-000000000002} name="Drivers\u001b[31m\nnext line"
at 0 ERROR bytes=0/220200960 error=0x80190194 context=5 text="HTTP 404 Not Found" remote="http://example.invalid/drivers.cab" local="C:\\Temp\\drivers.cab"
job {a1000000-0000-0000-0000-000000000003}
at 0 QUEUED
job {a1000000-0000-0000-0000-000000000004} type=upload-reply name="Upload"
at 0 TRANSFERRING bytes=1000/1000 reply=250/1000
'@

    # Objects shaped like Get-BitsTransfer's output (the BitsJob type does not exist here).
    function New-BitsJobObject {
        param([Guid] $Id, [string] $Name)
        [PSCustomObject]@{
            PSTypeName   = 'Microsoft.BackgroundIntelligentTransfer.Management.BitsJob'
            JobId        = $Id
            DisplayName  = $Name
            TransferType = 'Download'
            JobState     = 'Transferring'
            OwnerAccount = 'CORP\alice'
        }
    }
}

Describe 'Get-BitsJobStatus' {
    BeforeEach {
        Set-BwScenario $script:Scenario
    }

    Context 'listing (no -JobId)' {
        It 'returns one BitsWatch.JobStatus per job of the user, in order' {
            $r = @(Get-BitsJobStatus -SampleMs 0)
            $r.Count | Should -Be 4
            $r.JobId | Should -Be @($script:Running, $script:Failed, $script:Unnamed, $script:Reply)
            $r[0].PSObject.TypeNames[0] | Should -Be 'BitsWatch.JobStatus'
        }

        It '-Name matches display names with wildcards, case-insensitively' {
            $r = @(Get-BitsJobStatus -Name 'night*', 'UPLOAD' -SampleMs 0)
            $r.JobId | Should -Be @($script:Running, $script:Reply)
        }

        It '-Name without wildcards that matches nothing writes an ObjectNotFound error' {
            $r = @(Get-BitsJobStatus -Name 'No such job' -SampleMs 0 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.NameNotFound,Get-BitsJobStatus'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].TargetObject | Should -Be 'No such job'
        }

        It '-AllUsers lists every job when the session may (administrator)' {
            Set-BwScenario ("admin`n" + $script:Scenario)
            @(Get-BitsJobStatus -AllUsers -SampleMs 0).Count | Should -Be 4
        }

        It '-AllUsers without rights: a terminating PermissionDenied error that names the command, not "Exception calling"' {
            $err = $null
            try {
                Get-BitsJobStatus -AllUsers -SampleMs 0
            }
            catch {
                $err = $_
            }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Be 'BitsWatch.EnumFailed,Get-BitsJobStatus'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.TargetObject | Should -Be 'AllUsers'
            $err.Exception | Should -BeOfType ([BitsWatch.Native.BitsWatchException])
            $err.Exception.HResult | Should -Be ([int]0x80070005)
            $err.ToString() | Should -Not -Match 'Exception calling'
            $err.ToString() | Should -Match 'elevated'
        }

        It 'a listing while the service is down is ResourceUnavailable, not PermissionDenied' {
            Set-BwScenario ("service-down 0 600000`n" + $script:Scenario)
            $err = $null
            try {
                Get-BitsJobStatus -SampleMs 0
            }
            catch {
                $err = $_
            }
            $err.FullyQualifiedErrorId | Should -Be 'BitsWatch.EnumFailed,Get-BitsJobStatus'
            $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $err.TargetObject | Should -Be 'CurrentUser'
            $err.Exception.HResult | Should -Be ([int]0x800706BA)
        }

        It 'a job that vanishes while listed is left out without an error' {
            Set-BwScenario (@'
job {a1000000-0000-0000-0000-000000000001} name="stays"
at 0 QUEUED
job {a1000000-0000-0000-0000-000000000002} name="goes"
at 0 QUEUED
at 1 gone
'@)
            Start-Sleep -Milliseconds 20    # Set-BwScenario loaded it: the second job is gone
            $r = @(Get-BitsJobStatus -SampleMs 0 -ErrorVariable ev)
            $r.JobId | Should -Be @($script:Running)
            $ev.Count | Should -Be 0
        }
    }

    Context '-JobId and pipeline input' {
        It '-JobId takes a Guid' {
            (Get-BitsJobStatus -JobId $script:Failed -SampleMs 0).JobId | Should -Be $script:Failed
        }

        It 'the first positional argument is -Name, as in Get-BitsTransfer; a GUID string there is still taken as the job''s id' {
            $r = @(Get-BitsJobStatus 'Nightly build' -SampleMs 0 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $ev.Count | Should -Be 0
            $r.JobId | Should -Be @($script:Running)
            $r = @(Get-BitsJobStatus 'Nightly*', 'Upload' -SampleMs 0)
            $r.JobId | Should -Be @($script:Running, $script:Reply)
            $r = @(Get-BitsJobStatus $script:Failed.ToString() -SampleMs 0 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $ev.Count | Should -Be 0
            $r.JobId | Should -Be @($script:Failed)
            # A GUID string by position is a given job: missing is an error, as with -JobId.
            $r = @(Get-BitsJobStatus $script:Missing.ToString('B') -SampleMs 0 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobNotFound,Get-BitsJobStatus'
            (Get-Command Get-BitsJobStatus).Parameters['Name'].ParameterSets['List'].Position | Should -Be 0
        }

        It 'binds JobId from the pipeline by that name only: objects with a Guid or Id (Get-Module) are not taken for jobs' {
            # The binder's InputObjectNotBound error goes to $Error, not to -ErrorVariable.
            $Error.Clear()
            $r = @(Get-Module BitsWatch | Get-BitsJobStatus -SampleMs 0 -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            @($Error).Count | Should -Be 1
            $Error[0].FullyQualifiedErrorId | Should -Be 'InputObjectNotBound,Get-BitsJobStatus'
            $Error.Clear()
            $r = @([PSCustomObject]@{ Guid = $script:Failed; Id = $script:Failed } | Get-BitsJobStatus -SampleMs 0 -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            @($Error).Count | Should -Be 1
            $Error[0].FullyQualifiedErrorId | Should -Be 'InputObjectNotBound,Get-BitsJobStatus'
            (Get-Command Get-BitsJobStatus).Parameters['JobId'].Aliases.Count | Should -Be 0
        }

        It 'a given job that vanishes between the rate sample''s reads: a JobNotFound error, not silence' {
            Set-BwScenario (@'
job {a1000000-0000-0000-0000-000000000001} name="goes"
at 0 TRANSFERRING bytes=0/1000000
at 300 gone
'@)
            $r = @(Get-BitsJobStatus -JobId $script:Running -SampleMs 800 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobNotFound,Get-BitsJobStatus'
            $ev[0].TargetObject | Should -Be $script:Running
            Assert-BwHandlesClosed -Because 'after a job that vanished while sampled'
            # Listed (no -JobId): a job that goes is left out without an error.
            Set-BwScenario (@'
job {a1000000-0000-0000-0000-000000000001} name="goes"
at 0 TRANSFERRING bytes=0/1000000
at 300 gone
'@)
            $r = @(Get-BitsJobStatus -SampleMs 800 -ErrorVariable ev)
            $r.Count | Should -Be 0
            $ev.Count | Should -Be 0
        }

        It 'a job given twice (or once as a Guid and once as a string) is read and returned once' {
            $r = @(Get-BitsJobStatus -JobId $script:Failed, $script:Unnamed, $script:Failed -SampleMs 0)
            $r.JobId | Should -Be @($script:Failed, $script:Unnamed)
            $r = @($script:Failed, $script:Failed.ToString('B') | Get-BitsJobStatus -SampleMs 0)
            $r.JobId | Should -Be @($script:Failed)
        }

        It '-JobId takes a GUID string, with or without braces' {
            $r = @(Get-BitsJobStatus -JobId $script:Failed.ToString(), $script:Unnamed.ToString('B') -SampleMs 0)
            $r.JobId | Should -Be @($script:Failed, $script:Unnamed)
        }

        It '-JobId takes a BitsJob object (its JobId)' {
            $job = New-BitsJobObject -Id $script:Failed -Name 'Drivers'
            (Get-BitsJobStatus -JobId $job -SampleMs 0).JobId | Should -Be $script:Failed
        }

        It 'takes Guids from the pipeline' {
            $r = @($script:Failed, $script:Unnamed | Get-BitsJobStatus -SampleMs 0)
            $r.JobId | Should -Be @($script:Failed, $script:Unnamed)
        }

        It 'takes BitsJob objects from the pipeline (JobId by property name)' {
            $r = @((New-BitsJobObject -Id $script:Failed -Name 'a'), (New-BitsJobObject -Id $script:Unnamed -Name 'b') | Get-BitsJobStatus -SampleMs 0)
            $r.JobId | Should -Be @($script:Failed, $script:Unnamed)
        }

        It 'takes deserialized BitsJob objects (from a remote session) from the pipeline' {
            $xml = [System.Management.Automation.PSSerializer]::Serialize((New-BitsJobObject -Id $script:Failed -Name 'a'))
            $remote = [System.Management.Automation.PSSerializer]::Deserialize($xml)
            $remote.PSObject.TypeNames[0] | Should -Be 'Deserialized.Microsoft.BackgroundIntelligentTransfer.Management.BitsJob'
            ($remote | Get-BitsJobStatus -SampleMs 0).JobId | Should -Be $script:Failed
        }

        It 'takes its own output back from the pipeline' {
            $r = @(Get-BitsJobStatus -JobId $script:Failed -SampleMs 0 | Get-BitsJobStatus -SampleMs 0)
            $r.JobId | Should -Be @($script:Failed)
        }

        It '-BitsJob takes BitsJob objects' {
            $r = @(Get-BitsJobStatus -BitsJob (New-BitsJobObject -Id $script:Unnamed -Name 'x') -SampleMs 0)
            $r.JobId | Should -Be @($script:Unnamed)
        }

        It '-BitsJob writes an InvalidArgument error for an object without a JobId' {
            $r = @(Get-BitsJobStatus -BitsJob ([PSCustomObject]@{ Name = 'x' }) -SampleMs 0 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.Count | Should -Be 0
            $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.NotABitsJob,Get-BitsJobStatus'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'a job that does not exist: a non-terminating ObjectNotFound error naming the command and the job' {
            $r = @(Get-BitsJobStatus -JobId $script:Missing, $script:Failed -SampleMs 0 -ErrorVariable ev -ErrorAction SilentlyContinue)
            $r.JobId | Should -Be @($script:Failed)
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'BitsWatch.JobNotFound,Get-BitsJobStatus'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].TargetObject | Should -Be $script:Missing
            $ev[0].InvocationInfo.MyCommand.Name | Should -Be 'Get-BitsJobStatus'
            $ev[0].Exception.Message | Should -Match 'BG_E_NOT_FOUND'
            $ev[0].Exception.Message | Should -Not -Match 'Exception calling'
        }

        It '-ErrorAction Ignore: no error, no exception; -ErrorAction Stop: throws that error' {
            { Get-BitsJobStatus -JobId $script:Missing -SampleMs 0 -ErrorAction Ignore } | Should -Not -Throw
            $Error.Clear()
            $null = Get-BitsJobStatus -JobId $script:Missing -SampleMs 0 -ErrorAction Ignore
            $Error.Count | Should -Be 0
            { Get-BitsJobStatus -JobId $script:Missing -SampleMs 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'BitsWatch.JobNotFound,Get-BitsJobStatus'
        }

        It 'closes every handle it opened (the module''s count and the library''s)' {
            $null = Get-BitsJobStatus -ErrorAction SilentlyContinue
            Assert-BwHandlesClosed -Because 'after a listing with rate sampling'
            $null = Get-BitsJobStatus -JobId $script:Missing -ErrorAction SilentlyContinue
            Assert-BwHandlesClosed -Because 'after a job that is not there'
            $null = Get-BitsJobStatus -JobId $script:Failed, $script:Reply -ErrorAction SilentlyContinue
            Assert-BwHandlesClosed -Because 'after a job in error'
        }
    }

    Context 'the status object' {
        It 'measures rate and ETA of a transferring job (two reads on one handle)' {
            $null = Get-BitsJobStatus -JobId $script:Running -SampleMs 0   # loads the scenario
            $s = Get-BitsJobStatus -JobId $script:Running
            $s.State | Should -Be 'Transferring'
            # 40 MB in 60 s: about 699 KB/s
            $s.BytesPerSecond | Should -BeGreaterThan 500000
            $s.BytesPerSecond | Should -BeLessThan 900000
            $s.Eta | Should -BeOfType ([TimeSpan])
            $s.Eta.TotalSeconds | Should -BeGreaterThan 30
            $s.Eta.TotalSeconds | Should -BeLessThan 90
        }

        It 'takes -SampleMs at most once for many moving jobs' {
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $r = @(Get-BitsJobStatus -JobId $script:Running, $script:Reply -SampleMs 600)
            $sw.Stop()
            $r.Count | Should -Be 2
            $sw.ElapsedMilliseconds | Should -BeLessThan 1500
            $r[0].BytesPerSecond | Should -BeGreaterThan 0
        }

        It '-SampleMs 0 reads once: no rate, no ETA' {
            $s = Get-BitsJobStatus -JobId $script:Running -SampleMs 0
            $s.BytesPerSecond | Should -Be 0
            $s.Eta | Should -BeNullOrEmpty
        }

        It 'has the job''s name, description, owner, priority, type, bytes, files and percent' {
            $s = Get-BitsJobStatus -JobId $script:Running -SampleMs 0
            $s.DisplayName | Should -Be 'Nightly build'
            $s.Description | Should -Be 'the nightly'
            $s.Owner | Should -Be 'CORP\alice'
            $s.Priority | Should -Be 'High'
            $s.ErrorCount | Should -Be 2
            $s.Type | Should -Be 'Download'
            $s.BytesTotal | Should -Be 41943040
            $s.FilesTotal | Should -Be 2
            $s.Percent | Should -BeGreaterOrEqual 0
        }

        It 'an unnamed job has $null DisplayName, Owner and Description (not '''' and not its GUID)' {
            $s = Get-BitsJobStatus -JobId $script:Unnamed -SampleMs 0
            $s.DisplayName | Should -BeExactly $null
            $s.Owner | Should -BeExactly $null
            $s.Description | Should -BeExactly $null
            $s.ErrorDescription | Should -BeExactly $null
            $s.BytesTotal | Should -BeExactly $null
            $s.Percent | Should -BeExactly $null
        }

        It 'a job in error has the code, context, description, remote and local name and protocol' {
            $s = Get-BitsJobStatus -JobId $script:Failed -SampleMs 0
            $s.State | Should -Be 'Error'
            $s.ErrorCode | Should -Be ([int]0x80190194)
            $s.ErrorContext | Should -Be 'RemoteFile'
            $s.ErrorDescription | Should -Be 'HTTP 404 Not Found'
            $s.ErrorRemoteName | Should -Be 'http://example.invalid/drivers.cab'
            $s.ErrorLocalName | Should -Be 'C:\Temp\drivers.cab'
            $s.ErrorProtocol | Should -Be 'http'
        }

        It 'removes escape sequences whole and control characters from text that came from BITS' {
            $s = Get-BitsJobStatus -JobId $script:Failed -SampleMs 0
            $s.DisplayName | Should -BeExactly 'Drivers next line'
        }

        It 'has the reply progress of an upload-reply job' {
            $s = Get-BitsJobStatus -JobId $script:Reply -SampleMs 0
            $s.Type | Should -Be 'UploadReply'
            $s.ReplyBytesTotal | Should -Be 1000
            $s.ReplyBytesTransferred | Should -Be 250
        }

        It 'gives times as local [datetime]s, as BitsTransfer does' {
            $s = Get-BitsJobStatus -JobId $script:Running -SampleMs 0
            $s.CreationTime | Should -BeOfType ([datetime])
            $s.CreationTime.Kind | Should -Be 'Local'
            $s.ModificationTime.Kind | Should -Be 'Local'
            $s.Timestamp.Kind | Should -Be 'Local'
            ([datetime]::Now - $s.Timestamp).TotalMinutes | Should -BeLessThan 5
        }

        It 'carries BitsTransfer''s names: JobState, TransferType, OwnerAccount, InternalErrorCode' {
            $s = Get-BitsJobStatus -JobId $script:Failed -SampleMs 0
            $s.JobState | Should -Be 'Error'
            $s.TransferType | Should -Be 'Download'
            $s.OwnerAccount | Should -Be $s.Owner
            $s.InternalErrorCode | Should -Be ([int]0x80190194)
        }
    }
}
