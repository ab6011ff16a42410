/**
 * Makes Jazzer.js's prebuilt libFuzzer addon load on Debian 12 (glibc 2.36, GCC 12's libstdc++).
 *
 * @jazzer.js/fuzzer ships `prebuilds/fuzzer-linux-x64.node` in its npm package (no download at install),
 * built against glibc 2.38 and GCC 13. It needs only three things newer than this machine has:
 * `__isoc23_strtol` and `__isoc23_strtoul` (glibc 2.38's C23 spellings of strtol/strtoul: the same
 * functions plus a `0b` prefix, which libFuzzer's flag parsing never sees), and the version tag of
 * `std::ios_base_library_init` (GCC 13), a symbol `<iostream>` only names to pull the stream
 * initialiser in, never calls, and which no relocation refers to.
 *
 * The patch rewrites the ELF's dynamic symbol table in place, nothing else: the two strtol symbols
 * are pointed at the `strtol`/`strtoul` suffix of their own names with the GLIBC_2.2.5 version, and the
 * GLIBC_2.38 and GLIBCXX_3.4.32 version needs are marked weak (VER_FLG_WEAK), so the loader accepts
 * their absence. It runs before every fuzz run, leaves a loadable addon untouched, and keeps the
 * original beside it (`.orig`).
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const VER_FLG_WEAK = 0x2;
const RENAMED = { __isoc23_strtol: 'strtol', __isoc23_strtoul: 'strtoul' };
const WEAKENED = ['GLIBC_2.38', 'GLIBCXX_3.4.32'];

/** The path of the addon Jazzer.js loads on this platform. */
export function jazzerAddonPath() {
  const require = createRequire(import.meta.url);
  const fuzzerDir = dirname(require.resolve('@jazzer.js/fuzzer/package.json'));
  return join(fuzzerDir, 'prebuilds', `fuzzer-${process.platform}-${process.arch}.node`);
}

function addonLoads(path) {
  try {
    process.dlopen({ exports: {} }, path);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: String(error.message) };
  }
}

function sections(elf) {
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const list = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    list.push({
      type: elf.readUInt32LE(at + 4),
      offset: Number(elf.readBigUInt64LE(at + 0x18)),
      size: Number(elf.readBigUInt64LE(at + 0x20)),
      link: elf.readUInt32LE(at + 0x28),
      info: elf.readUInt32LE(at + 0x2c),
    });
  }
  return list;
}

function patchElf(elf) {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not a 64-bit little-endian ELF');
  const list = sections(elf);
  const dynsym = list.find((s) => s.type === SHT_DYNSYM);
  const versym = list.find((s) => s.type === SHT_GNU_VERSYM);
  const verneed = list.find((s) => s.type === SHT_GNU_VERNEED);
  if (!dynsym || !versym || !verneed) throw new Error('no dynamic symbol versioning');
  const dynstr = list[dynsym.link];
  const name = (offset) => {
    const start = dynstr.offset + offset;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };

  const versionIndex = new Map();
  let need = verneed.offset;
  for (let n = 0; n < verneed.info; n++) {
    let aux = need + elf.readUInt32LE(need + 8);
    for (let k = 0; k < elf.readUInt16LE(need + 2); k++) {
      const version = name(elf.readUInt32LE(aux + 8));
      versionIndex.set(version, elf.readUInt16LE(aux + 6));
      if (WEAKENED.includes(version)) elf.writeUInt16LE(elf.readUInt16LE(aux + 4) | VER_FLG_WEAK, aux + 4);
      aux += elf.readUInt32LE(aux + 12);
    }
    need += elf.readUInt32LE(need + 12);
  }
  const base = versionIndex.get('GLIBC_2.2.5');
  if (base === undefined) throw new Error('no GLIBC_2.2.5 version need to point strtol at');

  let renamed = 0;
  for (let i = 0; i < dynsym.size / 24; i++) {
    const at = dynsym.offset + i * 24;
    const nameOffset = elf.readUInt32LE(at);
    const plain = RENAMED[name(nameOffset)];
    if (!plain) continue;
    // "__isoc23_strtol" ends with "strtol": point at that suffix of the same string
    elf.writeUInt32LE(nameOffset + '__isoc23_'.length, at);
    elf.writeUInt16LE(base, versym.offset + i * 2);
    renamed++;
  }
  return renamed;
}

/** Loads-or-patches the addon; throws with the loader's message when it still cannot load. */
export function ensureJazzerLoads() {
  const path = jazzerAddonPath();
  const first = addonLoads(path);
  if (first.ok) return 'loads as shipped';
  if (!/GLIBC_2\.38|GLIBCXX_3\.4\.32/.test(first.message)) throw new Error(`Jazzer.js addon does not load: ${first.message}`);
  const original = `${path}.orig`;
  if (!existsSync(original)) copyFileSync(path, original);
  const elf = readFileSync(original);
  const renamed = patchElf(elf);
  writeFileSync(path, elf);
  const second = addonLoads(path);
  if (!second.ok) throw new Error(`Jazzer.js addon still does not load after the glibc patch: ${second.message}`);
  return `patched for this glibc (${renamed} symbols renamed)`;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`jazzer addon: ${ensureJazzerLoads()}`);
