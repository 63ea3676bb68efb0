// Runs json_fuzz.wasm (built by sdk-guest/fuzz.sh from json_fuzz.ts) in Node for SECONDS,
// with payloads mutated from seeds: `node json_fuzz.mjs MODULE SECONDS SEED`. A trap, or an
// import the helpers must never call, is a crash: its payload is printed in hex, exit 1.
import { readFileSync } from "node:fs";

const [modulePath, seconds = "30", seedText = "1"] = process.argv.slice(2);
const module = new WebAssembly.Module(readFileSync(modulePath));
const imports = {};
for (const { module: name, name: field, kind } of WebAssembly.Module.imports(module)) {
  if (kind !== "function") continue;
  imports[name] ??= {};
  imports[name][field] = () => {
    throw new Error(`the JSON helpers called ${name}.${field}`);
  };
}
const { exports } = new WebAssembly.Instance(module, imports);

let state = BigInt(seedText) || 1n;
const random = (below) => {
  state ^= (state << 13n) & 0xffffffffffffffffn;
  state ^= state >> 7n;
  state ^= (state << 17n) & 0xffffffffffffffffn;
  return Number(state % BigInt(below));
};
const encoder = new TextEncoder();
const seeds = [
  "{}",
  '{"n":5}',
  ' { "s":"a\\"b\\u00e9\\ud83d\\ude00\\/", "p": {"x": [1, 2.5e3, true, null]}, "n": -7 } ',
  '{"n":9223372036854775808,"b":false}',
  '{"s":"\\ud800"}',
  "[1]",
].map((seed) => encoder.encode(seed));
const interesting = encoder.encode('{}[]",:\\u0123456789eE+-.tfn \u00e9');

function mutate(seed) {
  const bytes = Array.from(seed);
  for (let edits = random(8) + 1; edits > 0; edits--) {
    const at = random(bytes.length + 1);
    switch (random(4)) {
      case 0: if (bytes.length) bytes[Math.min(at, bytes.length - 1)] = interesting[random(interesting.length)]; break;
      case 1: if (bytes.length < 4096) bytes.splice(at, 0, random(4) ? interesting[random(interesting.length)] : random(256)); break;
      case 2: bytes.splice(at, 1); break;
      default: bytes.length = Math.min(bytes.length, at);
    }
  }
  return Uint8Array.from(bytes);
}

const deadline = Date.now() + Number(seconds) * 1000;
let runs = 0;
let parsed = 0;
while (Date.now() < deadline) {
  for (let batch = 0; batch < 1000; batch++) {
    const payload = runs < seeds.length ? seeds[runs] : mutate(seeds[random(seeds.length)]);
    new Uint8Array(exports.memory.buffer, exports.input(), payload.length).set(payload);
    try {
      parsed += exports.check(payload.length);
    } catch (error) {
      console.error(`crash on payload ${Buffer.from(payload).toString("hex")}: ${error}`);
      process.exit(1);
    }
    runs++;
  }
}
console.log(`${runs} ${parsed}`);
