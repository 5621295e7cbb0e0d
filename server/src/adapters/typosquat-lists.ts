// Loads the well-known package lists that ship with telltale (server/src/core/typosquat/data,
// built offline by scripts/build-typosquat-lists.mjs) into one judge. Read from the source tree
// in both layouts (tsc does not copy JSON into dist): ../../src/... from server/dist/adapters
// and from server/src/adapters alike.
import { readFileSync } from 'node:fs';
import { compileTyposquat, ECOSYSTEMS, parseWellKnownList, type TyposquatJudge } from '../core/typosquat/index.js';

export function loadTyposquatJudge(): TyposquatJudge {
  return compileTyposquat(ECOSYSTEMS.map((ecosystem) =>
    parseWellKnownList(JSON.parse(readFileSync(new URL(`../../src/core/typosquat/data/${ecosystem}.json`, import.meta.url), 'utf8')) as unknown)));
}
