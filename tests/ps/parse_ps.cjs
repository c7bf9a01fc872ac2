// parse_ps.cjs - parses PowerShell files with tree-sitter-powershell and fails
// on any ERROR or MISSING node.
//
//   node parse_ps.cjs NODE_MODULES FILE...
//
// .ps1/.psm1/.psd1 files are parsed whole; in .ps1xml files every <ScriptBlock>
// is parsed on its own (after XML unescaping). Before the files, two snippets
// check the checker: a valid one must parse clean and a broken one must not.
'use strict';
const fs = require('fs');
const path = require('path');

const [nodeModules, ...files] = process.argv.slice(2);
if (!nodeModules || files.length === 0) {
  console.error('usage: node parse_ps.cjs NODE_MODULES FILE...');
  process.exit(2);
}
const req = (name) => require(require.resolve(name, { paths: [nodeModules] }));

function problems(tree) {
  const found = [];
  const walk = (node) => {
    if (node.isError || node.type === 'ERROR' || node.isMissing) {
      found.push(`${node.isMissing ? 'MISSING ' + node.type : 'ERROR'} at ` +
        `${node.startPosition.row + 1}:${node.startPosition.column + 1}: ` +
        JSON.stringify(node.text.slice(0, 60)));
    }
    if (node.hasError || node.isMissing) {
      for (let i = 0; i < node.childCount; i++) walk(node.child(i));
    }
  };
  walk(tree.rootNode);
  if (found.length === 0 && tree.rootNode.hasError) found.push('tree has an error');
  return found;
}

function unescapeXml(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

(async () => {
  const { Parser, Language } = req('web-tree-sitter');
  await Parser.init();
  const wasm = require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm', { paths: [nodeModules] });
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  let passed = 0, failed = 0;
  const check = (ok, what, detail) => {
    if (ok) { passed++; console.log(`ok   ${what}`); }
    else { failed++; console.log(`FAIL ${what}`); for (const d of detail || []) console.log(`     ${d}`); }
  };

  // The checker itself.
  const good = 'function Get-Thing {\n    param(\n        [int] $A\n    )\n    process {\n        $A\n    }\n}\n';
  check(problems(parser.parse(good)).length === 0, 'self-test: a valid function parses clean');
  check(problems(parser.parse('if ($a -eq 1) { "x" ')).length > 0, 'self-test: an unclosed block is reported');

  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const name = path.basename(file);
    if (name.endsWith('.ps1xml')) {
      const blocks = [...text.matchAll(/<ScriptBlock>([\s\S]*?)<\/ScriptBlock>/g)];
      check(blocks.length > 0, `${name}: has ${blocks.length} script blocks`);
      blocks.forEach((m, i) => {
        const line = text.slice(0, m.index).split('\n').length;
        const p = problems(parser.parse(unescapeXml(m[1])));
        check(p.length === 0, `${name}: <ScriptBlock> ${i + 1} (line ${line}) parses`, p);
      });
    } else {
      const p = problems(parser.parse(text));
      check(p.length === 0, `${name} parses with no ERROR or MISSING node`, p);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
