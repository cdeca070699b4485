import { createRequire } from 'node:module';

// The confusables table (about 120 KB) loads on the first skeleton, not at start: an assistant spawns
// the stdio server on every start and most starts never compare a name.
let unhomoglyphFn: ((s: string) => string) | undefined;
const unhomoglyph = (s: string) => (unhomoglyphFn ??= createRequire(import.meta.url)('unhomoglyph') as (s: string) => string)(s);

/**
 * What makes two account names look alike, and the rules that keep a new name from passing for
 * another one (issue 13: "Pаyer" with a Cyrillic а, "Payer" followed by an invisible Hangul filler…).
 * The typed-name delete guard is only as good as these: a person must be able to tell names apart.
 *
 * - A name is normalised to NFKC (fullwidth "Ｐａｙｅｒ" is "Payer"), white space folded.
 * - Invisible (Default_Ignorable_Code_Point) characters are refused, naming the code point.
 * - A word may not mix scripts (Latin with Cyrillic…); different words may use different scripts.
 * - A new name whose Unicode TR39 confusable skeleton equals an existing account's is refused
 *   (lookup.ts, requireNameFree): the skeleton maps each character to its prototype in the Unicode
 *   confusables data (the `unhomoglyph` package ships it), so "Рауег" and "Payer" share one.
 */

/** NFKC, then white space trimmed and runs of it folded to one space. */
export const normalizeName = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ');

export const codePointLabel = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
const IGNORABLE_ALL = /\p{Default_Ignorable_Code_Point}/gu;

/** The first invisible (default-ignorable) character: U+3164, U+115F, U+FFA0, U+200B, U+00AD, U+FE0F… */
export function invisibleCharacter(s: string): string | undefined {
  return IGNORABLE.exec(s)?.[0];
}

export function invisibleMessage(ch: string) {
  return `the name contains an invisible character (${codePointLabel(ch)}) that would let it look like another name; delete it, or type the name again instead of pasting it`;
}

// Every script value (ISO 15924 code) of the Unicode Character Database up to 17.0, except Common,
// Inherited and Unknown. A runtime whose ICU predates one of them simply does not test for it.
const SCRIPT_CODES =
  'Adlm Aghb Ahom Arab Armi Armn Avst Bali Bamu Bass Batk Beng Berf Bhks Bopo Brah Brai Bugi Buhd Cakm Cans Cari Cham Cher Chrs Copt Cpmn Cprt Cyrl Deva Diak Dogr Dsrt Dupl Egyp Elba Elym Ethi Gara Geor Glag Gong Gonm Goth Gran Grek Gujr Gukh Guru Hang Hani Hano Hatr Hebr Hira Hluw Hmng Hmnp Hung Ital Java Kali Kana Kawi Khar Khmr Khoj Kits Knda Krai Kthi Lana Laoo Latn Lepc Limb Lina Linb Lisu Lyci Lydi Mahj Maka Mand Mani Marc Medf Mend Merc Mero Miao Mlym Modi Mong Mroo Mtei Mult Mymr Nagm Nand Narb Nbat Newa Nkoo Nshu Ogam Olck Onao Orkh Orya Osge Osma Ougr Palm Pauc Perm Phag Phli Phlp Phnx Plrd Prti Rjng Rohg Runr Samr Sarb Saur Sgnw Shaw Shrd Sidd Sidt Sind Sinh Sogd Sogo Sora Soyo Sund Sunu Sylo Syrc Tagb Takr Tale Talu Taml Tang Tavt Tayo Telu Tfng Tglg Thaa Thai Tibt Tirh Tnsa Todr Tols Toto Tutg Ugar Vaii Vith Wara Wcho Xpeo Xsux Yezi Yiii Zanb'.split(' ');

let scriptTests: { code: string; re: RegExp }[] | undefined;
function scriptRegexes() {
  if (!scriptTests) {
    scriptTests = [];
    for (const code of SCRIPT_CODES) {
      try {
        scriptTests.push({ code, re: new RegExp(`^\\p{Script_Extensions=${code}}$`, 'u') });
      } catch {
        // not known to this runtime's Unicode version
      }
    }
  }
  return scriptTests;
}

/** Digits, punctuation, symbols and combining marks that belong to every script (Common, Inherited). */
const ANY_SCRIPT = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}\p{Script=Unknown}]$/u;

/** Writing systems that mix scripts within a word (UTS 39 §5.1): Japanese, Korean, Chinese with Bopomofo. */
const AUGMENT: Record<string, string[]> = { Hani: ['Hanb', 'Jpan', 'Kore'], Hira: ['Jpan'], Kana: ['Jpan'], Hang: ['Kore'], Bopo: ['Hanb'] };

/** The scripts one character is written in (its Script_Extensions), or undefined for "any script". */
function scriptsOf(ch: string): string[] | undefined {
  if (ch <= '\x7f') return /[A-Za-z]/.test(ch) ? ['Latn'] : undefined;
  if (ANY_SCRIPT.test(ch)) return undefined;
  return scriptRegexes()
    .filter((t) => t.re.test(ch))
    .map((t) => t.code);
}

let displayNames: Intl.DisplayNames | undefined;
function scriptName(code: string) {
  try {
    displayNames ??= new Intl.DisplayNames(['en'], { type: 'script' });
    return displayNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** A word that mixes scripts: the script most of it is written in, and a character of another one. */
export type MixedScripts = { word: string; main: string; odd: string; char: string };

/**
 * The first word (a run of letters, marks and digits) that mixes scripts, as UTS 39 resolves them:
 * the intersection of its characters' Script_Extensions is empty, Common and Inherited counting as
 * every script.
 */
export function mixedScriptWord(name: string): MixedScripts | undefined {
  for (const word of name.match(/[\p{L}\p{M}\p{N}]+/gu) ?? []) {
    const chars = [...word].map((ch) => ({ ch, scripts: scriptsOf(ch) }));
    let resolved: Set<string> | undefined;
    let first: { ch: string; code: string } | undefined;
    for (const { ch, scripts } of chars) {
      if (!scripts?.length) continue;
      const augmented = new Set(scripts.flatMap((c) => [c, ...(AUGMENT[c] ?? [])]));
      if (!resolved || !first) {
        resolved = augmented;
        first = { ch, code: scripts[0]! };
        continue;
      }
      const next = new Set([...resolved].filter((c) => augmented.has(c)));
      if (next.size) {
        resolved = next;
        continue;
      }
      // Name the odd one out: "Ρayer" is Latin with a Greek Ρ, "Pаyer" Latin with a Cyrillic а.
      const other = { ch, code: scripts[0]! };
      const count = (code: string) => chars.filter((c) => c.scripts?.includes(code)).length;
      const [main, odd] = count(first.code) >= count(other.code) ? [first, other] : [other, first];
      return { word, main: scriptName(main.code), odd: scriptName(odd.code), char: odd.ch };
    }
  }
  return undefined;
}

export function mixedScriptMessage(m: MixedScripts) {
  return `the word "${m.word}" mixes ${m.main} and ${m.odd} characters (${codePointLabel(m.char)} "${m.char}" is ${m.odd}), which lets a name pass for another; type each word in one script`;
}

/**
 * The Unicode TR39 confusable skeleton: NFD, default-ignorable characters removed, every character
 * replaced by its prototype from the confusables data, NFD again. Two strings that look alike have
 * the same skeleton ("m" and "rn", "Ρ" (Greek) and "P"). Not for display.
 */
export function skeleton(s: string): string {
  return unhomoglyph(s.normalize('NFD').replace(IGNORABLE_ALL, '')).normalize('NFD');
}

/** Every name check compares with every account: the stored names' keys are kept (bounded). */
const keyCache = new Map<string, ReadonlySet<string>>();

/**
 * What a name is compared with for look-alikes: the skeletons of the name as stored and as NFKC, each
 * as typed and lower-cased (names are case-insensitive, so "tearn" is also a look-alike of "TEAM").
 * Names stored before these rules may be neither NFKC nor free of invisible characters.
 */
const KEY_CACHE_LIMIT = 150_000;

export function lookalikeKeys(name: string): ReadonlySet<string> {
  let keys = keyCache.get(name);
  if (!keys) {
    const made = new Set<string>();
    for (const form of new Set([name, name.normalize('NFKC')])) {
      for (const cased of [form, form.toLocaleLowerCase('en-US')]) made.add(skeleton(cased).trim().replace(/\s+/g, ' '));
    }
    // Bounded above the largest estates (a scan of 50,000 names must hit it, not recompute them all):
    // the oldest entry goes first.
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(name, (keys = made));
  }
  return keys;
}

export function looksAlike(a: string, b: string): boolean {
  const ka = lookalikeKeys(a);
  for (const k of lookalikeKeys(b)) if (ka.has(k)) return true;
  return false;
}
