import { readFileSync } from "node:fs";
import { ruleIntent } from "../src/engine/intent.ts";
const qs = readFileSync("eval/questions.jsonl", "utf8").trim().split("\n").map((l) => JSON.parse(l));
let ok = 0;
for (const q of qs) {
  const got = ruleIntent(q.question) ?? "qa";
  if (got === q.intent) ok++;
  else console.log(`${q.intent} -> ${got} | ${q.question}`);
}
console.log(ok, qs.length, ok / qs.length);
