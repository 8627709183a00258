// A second, independent implementation of Hugging Face's BertTokenizer rules (BasicTokenizer,
// WordpieceTokenizer, the special-token split of PreTrainedTokenizer.tokenize) in Node.js, whose
// Unicode data is ICU's: categories from \p{..}, String.prototype.normalize and toLowerCase
// (final sigma and U+0130 included). test_text's BertGolden.AgreesWithNodePort compares
// kdbench_text's ids with it on real text (docs/text.md).
//   node bert_reference.js VOCAB_TXT < LINES > IDS   (one line of space-separated ids per line;
//   stdin decoded as UTF-8 with U+FFFD for invalid bytes, like Python's errors="replace")
const fs = require('fs');
const vocabLines = fs.readFileSync(process.argv[2], 'utf8').split('\n'); vocabLines.pop();
const vocab = new Map(vocabLines.map((t, i) => [t, i]));
const isControl = ch => !(ch === '\t' || ch === '\n' || ch === '\r') && /\p{C}/u.test(ch);
const isWhitespace = ch => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /\p{Zs}/u.test(ch);
const isPunct = ch => { const cp = ch.codePointAt(0);
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || /\p{P}/u.test(ch); };
const isCjk = cp => (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
  (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
  (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
const pySplit = s => s.split(/[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/).filter(w => w.length);
const specials = ['[UNK]', '[SEP]', '[PAD]', '[CLS]', '[MASK]'];
function basic(text) {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (cp === 0 || cp === 0xFFFD || isControl(ch)) continue;
    if (isWhitespace(ch)) out += ' ';
    else if (isCjk(cp)) out += ' ' + ch + ' ';
    else out += ch;
  }
  const pieces = [];
  for (let w of pySplit(out.normalize('NFC'))) {
    if (!specials.includes(w)) {
      w = w.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
    }
    if (specials.includes(w)) { pieces.push(w); continue; }
    let cur = null;
    for (const ch of w) {
      if (isPunct(ch)) { pieces.push(ch); cur = null; }
      else { if (cur === null) { pieces.push(''); cur = pieces.length - 1; } pieces[cur] += ch; }
    }
  }
  return pySplit(pieces.join(' '));
}
function wordpiece(word, ids) {
  const chars = Array.from(word);
  if (chars.length > 100) { ids.push(100); return; }
  const sub = []; let start = 0;
  while (start < chars.length) {
    let end = chars.length, cur = -1;
    while (start < end) {
      let s = chars.slice(start, end).join(''); if (start > 0) s = '##' + s;
      if (vocab.has(s)) { cur = vocab.get(s); break; }
      end--;
    }
    if (cur < 0) { ids.push(100); return; }
    sub.push(cur); start = end;
  }
  ids.push(...sub);
}
function encode(text) {
  const ids = [];
  // split off special tokens like PreTrainedTokenizer.tokenize
  const re = /\[UNK\]|\[SEP\]|\[PAD\]|\[CLS\]|\[MASK\]/g;
  let last = 0, m;
  const run = seg => { for (const w of basic(seg)) (specials.includes(w) ? ids.push(vocab.get(w)) : wordpiece(w, ids)); };
  while ((m = re.exec(text)) !== null) { run(text.slice(last, m.index)); ids.push(vocab.get(m[0])); last = m.index + m[0].length; }
  run(text.slice(last));
  return ids;
}
// stdin: lines (decoded as UTF-8 with replacement, like Python errors="replace"); stdout: ids
const data = fs.readFileSync(0).toString('utf8');
const lines = data.split('\n'); if (lines[lines.length - 1] === '') lines.pop();
process.stdout.write(lines.map(l => encode(l).join(' ')).join('\n') + '\n');
