// The largest files and functions of src/, for the before/after picture of a reshaping (issue 12's closing note).
// A function is a function declaration, a method (constructors and accessors included), or a function or arrow
// function given a name (`const f = () => …`, `f: function () {…}`, a class property). Its size is the lines from its
// first token to its last, its JSDoc excluded; nested functions count on their own too.
//
// Usage: node scripts/sizes.mjs [--root DIR] [--top N]   (default: this repository, 15)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const args = process.argv.slice(2);
let root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let top = 15;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--root' && args[i + 1]) root = resolve(args[++i]);
  else if (args[i] === '--top' && Number(args[i + 1]) > 0) top = Number(args[++i]);
  else {
    console.error(`usage: node scripts/sizes.mjs [--root DIR] [--top N]  (unknown: ${args[i]})`);
    process.exit(2);
  }
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.isFile() && /\.[cm]?ts$/.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name) ? [p] : [];
  });
}

const lineCount = (text) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** The name a function goes by, or undefined for an anonymous one (a callback). */
function nameOf(node) {
  const owner = (n) => {
    const c = n.parent;
    return c && (ts.isClassDeclaration(c) || ts.isClassExpression(c)) && c.name ? `${c.name.text}.` : '';
  };
  const text = (n) =>
    n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n)) ? n.text : n?.getText();
  if (ts.isFunctionDeclaration(node)) return node.name?.text ?? 'default';
  if (ts.isConstructorDeclaration(node)) return `${owner(node)}constructor`;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const kind = ts.isGetAccessorDeclaration(node) ? 'get ' : ts.isSetAccessorDeclaration(node) ? 'set ' : '';
    return `${kind}${owner(node)}${text(node.name)}`;
  }
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    let p = node.parent;
    while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p))) p = p.parent;
    if (!p) return undefined;
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
    if (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return `${owner(p)}${text(p.name)}`;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return p.left.getText();
  }
  return undefined;
}

const files = [];
const functions = [];
for (const abs of walk(join(root, 'src'))) {
  const file = relative(root, abs).split(sep).join('/');
  const text = readFileSync(abs, 'utf8');
  files.push({ file, lines: lineCount(text) });
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const name = nameOf(node);
      if (name) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        functions.push({ name, file, line: start + 1, lines: end - start + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

const byLines = (a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0);
const total = files.reduce((n, f) => n + f.lines, 0);
console.log(`src/: ${files.length} files, ${total} lines, ${functions.length} named functions`);
console.log(`\nLargest files (lines):`);
for (const f of files.sort(byLines).slice(0, top)) console.log(`${String(f.lines).padStart(6)}  ${f.file}`);
console.log(`\nLargest functions (lines):`);
for (const f of functions.sort(byLines).slice(0, top))
  console.log(`${String(f.lines).padStart(6)}  ${f.name}  ${f.file}:${f.line}`);
