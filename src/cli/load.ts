/**
 * `npm run load`: simulated users through the fake Telegram Bot API on 127.0.0.1, with
 * the bot as production runs it (grammY runner, auto-retry, rate limit). Each user sends
 * a short conversation, waiting for each reply. Two phases:
 *
 * 1. clean: throughput (messages/s) and reply latency (update queued → reply received);
 * 2. faults: the fake API fails a share of sendMessage calls with 429 or 500 at random;
 *    every reply must still arrive.
 *
 * Writes `eval/load.md`.
 *
 *   npm run load                       # 500 users
 *   npm run load -- --users 100
 */
import { percentile } from "../eval/stats.ts";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { run } from "@grammyjs/runner";
import { createTelegramBot } from "../channels/telegram/bot.ts";
import { loadConfig } from "../config.ts";
import { createEngine } from "../engine/engine.ts";
import { openStore } from "../store/store.ts";
import { FakeTelegramApi, type SentMessage } from "../testing/fake-telegram-api.ts";
import { killPhase } from "./load-kill.ts";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const USERS = arg("users", 500);
const FAULT_RATE = 0.05;
const TARGET_RATE = 300;
/** Users who register (15 messages each) while the instance is killed and restarted. */
const KILL_USERS = arg("kill-users", 100);

/** One person's conversation: a question, a fee check asked back and answered, a deposit question. */
const CONVERSATION = [
  "ky quy di dai loan bao nhieu",
  "cty doi 4 thang luong tien dich vu co dung ko",
  "Đài Loan",
  "3 năm",
  "vay 150tr di nhat co phai the chap ko",
];

interface PhaseResult {
  name: string;
  users: number;
  messages: number;
  replies: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  missing: number;
}

/**
 * Runs every user's conversation. `startGapMs` staggers the users' starts: 0 is a burst
 * (all at once, full speed); a gap gives a sustained arrival rate of about
 * CONVERSATION.length / startGapMs messages per millisecond.
 */
async function phase(name: string, api: FakeTelegramApi, faultRate: number, userBase: number, startGapMs = 0): Promise<PhaseResult> {
  api.randomFailureRate = faultRate;
  const latencies: number[] = [];
  const waiting = new Map<number, { at: number; resolve: () => void }>();
  api.onSend = (m: SentMessage) => {
    const chat = Number(m.chat_id);
    const w = waiting.get(chat);
    if (!w) return;
    waiting.delete(chat);
    latencies.push(performance.now() - w.at);
    w.resolve();
  };
  let missing = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: USERS }, async (_, i) => {
      const user = userBase + i;
      if (startGapMs) await new Promise((r) => setTimeout(r, i * startGapMs));
      for (const text of CONVERSATION) {
        const replied = new Promise<void>((resolve) => waiting.set(user, { at: performance.now(), resolve }));
        api.pushText(user, text);
        // A reply that never comes counts as missing; 30 s covers retries after 429s.
        const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 30_000).unref());
        if ((await Promise.race([replied, timeout])) === "timeout") {
          missing++;
          waiting.delete(user);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => percentile(latencies, p) ?? NaN;
  const messages = USERS * CONVERSATION.length;
  return { name, users: USERS, messages, replies: latencies.length, seconds, perSecond: latencies.length / seconds, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), missing };
}

const config = loadConfig({ ...process.env, LOG_LEVEL: "silent" });
const dataDir = await mkdtemp(join(tmpdir(), "xkld-load-"));
const api = new FakeTelegramApi();
await api.start();
try {
  const store = await openStore("memory://");
  const engine = await createEngine({ knowledgeDir: config.KNOWLEDGE_DIR, dataDir, promptsDir: config.PROMPTS_DIR, sessions: store });
  const bot = createTelegramBot({ token: api.token, engine, store, apiRoot: api.apiRoot });
  await bot.init();
  const runner = run(bot);
  const clean = await phase("burst: all users at once", api, 0, 100_000);
  // 300 messages/s sustained: a user starts every CONVERSATION.length / 300 s.
  const paced = await phase("sustained: 300 messages/s", api, 0, 300_000, (CONVERSATION.length / TARGET_RATE) * 1000);
  const faults = await phase(`faults (${FAULT_RATE * 100} % of sends fail with 429 or 500)`, api, FAULT_RATE, 200_000);
  await runner.stop();
  api.randomFailureRate = 0;
  const kill = await killPhase(api, dataDir, KILL_USERS);

  const row = (r: PhaseResult) =>
    `| ${r.name} | ${r.users} | ${r.messages} | ${r.replies} | ${r.missing} | ${r.seconds.toFixed(1)} s | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`;
  const md = `# Load test

Generated by \`npm run load\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}). ${USERS} simulated
Telegram users, all at once, each sending ${CONVERSATION.length} messages (a question, a fee check that asks back twice,
a loan question) and waiting for each reply, through a fake Bot API on 127.0.0.1 and the bot as
\`npm start\` runs it (grammY runner with per-chat ordering, auto-retry, rate limit). Latency is from the
update being queued at the fake API to the reply reaching it (long polling included). No LLM.

| phase | users | messages | replies | missing | time | replies/s | p50 | p95 | p99 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${row(clean)}
${row(paced)}
${row(faults)}

In the burst, every user's first message arrives at once, so latency is mostly waiting in line
behind ${USERS} others; the sustained phase offers ${TARGET_RATE} messages/s and measures the reply time a person sees.

Targets (issue #7): ≥ ${TARGET_RATE} messages/s sustained with p95 ≤ 50 ms — ${clean.perSecond >= TARGET_RATE && paced.p95 <= 50 ? "met" : "not met"} (burst throughput ${clean.perSecond.toFixed(0)}/s, sustained p95 ${paced.p95.toFixed(1)} ms);
every reply delivered when the API fails at random — ${faults.missing === 0 ? "met" : `not met (${faults.missing} missing)`}.
Latency in the fault phase includes Telegram's retry_after wait (1 s) for each 429.

## Killing the instance mid-load

${kill.users} users register (15 messages each) with the assistant running as \`npm start\` runs it (a child
process: Telegram bot over the fake Bot API, sqlite store, offices file sending every case to a webhook).
After ${kill.killedAfterAcks} users had been told "saved", the process got SIGKILL and was started again on the
same store; users resent a message that got no reply within 8 s.

| acknowledged registrations | missing from the store after restart | cases in store | delivered to the office webhook | not delivered | Idempotency-Keys seen twice | time |
|---:|---:|---:|---:|---:|---:|---:|
| ${kill.acknowledged} | ${kill.missingInStore} | ${kill.casesInStore} | ${kill.delivered} | ${kill.undelivered} | ${kill.repeatedKeys} | ${kill.seconds.toFixed(1)} s |

A key seen twice is a hand-off whose send the kill cut off: it is resent with the same key, so the
office's receiver keeps one (issue #6's outbox). Target: 0 missing, 0 not delivered — ${kill.missingInStore === 0 && kill.undelivered === 0 ? "met" : "not met"}.
`;
  writeFileSync(join("eval", "load.md"), md);
  for (const r of [clean, paced, faults]) {
    console.log(`${r.name}: ${r.replies}/${r.messages} replies, ${r.missing} missing, ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms`);
  }
  console.log(`kill: ${kill.acknowledged} acknowledged, ${kill.missingInStore} missing, ${kill.casesInStore} cases, ${kill.delivered} delivered, ${kill.repeatedKeys} keys twice, ${kill.seconds.toFixed(1)} s`);
  console.log("wrote eval/load.md");
  await store.close();
} finally {
  await api.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(0);
