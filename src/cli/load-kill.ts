/**
 * The kill phase of `npm run load`: the assistant runs as `npm start` would (a child
 * process: src/main.ts with a Telegram token, a sqlite store and an offices file that sends
 * every case to a webhook), users register through the fake Bot API, and the process is
 * killed with SIGKILL in the middle and started again on the same store. Afterwards:
 *
 * - every registration a user was told was saved ("DK-XXXXX") is in the store;
 * - every case reaches the webhook; a repeat is only allowed for a hand-off whose send was
 *   cut off by the kill, and it carries the same Idempotency-Key (so the receiver drops it).
 *
 * Users answer at a human pace (one message every ~1.3 s, under the rate limit); one whose
 * message was lost with the killed process sends it again after a few seconds, as people do.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { openStore } from "../store/store.ts";
import { RegistrationStore } from "../registration/store.ts";
import type { FakeTelegramApi } from "../testing/fake-telegram-api.ts";

const ANSWERS = [
  "/dangky", "Đồng ý", "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập", "Nhật Bản", "Xong", "thợ hàn",
  "Biết chút ít", "Không thuộc nhóm nào", "Buổi tối", "Bỏ qua", "Xác nhận",
];

/** Pause before each message: one message every ~1.3 s stays under the rate limit. */
const THINK_MS = 1300;

export interface KillResult {
  users: number;
  acknowledged: number;
  missingInStore: number;
  casesInStore: number;
  delivered: number;
  undelivered: number;
  repeatedKeys: number;
  killedAfterAcks: number;
  seconds: number;
}

function startInstance(api: FakeTelegramApi, dir: string, officesFile: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join("src", "main.ts")], {
    env: {
      ...process.env,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      DATA_DIR: dir,
      STORE_URL: `sqlite://${join(dir, "store.sqlite")}`,
      OFFICES_FILE: officesFile,
      LOG_LEVEL: "silent",
    },
    stdio: process.env.XKLD_LOAD_DEBUG ? "inherit" : "ignore",
  });
}

export async function killPhase(api: FakeTelegramApi, dir: string, users: number): Promise<KillResult> {
  // The office's webhook: counts deliveries per Idempotency-Key.
  const deliveries = new Map<string, number>();
  const hook: Server = createServer((req, res) => {
    const key = String(req.headers["idempotency-key"] ?? "");
    req.resume();
    req.on("end", () => {
      deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const officesFile = join(dir, "offices.yaml");
  writeFileSync(officesFile, `offices: {}\nunrouted: { name: "load test", webhookUrl: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }\n`);

  const started = Date.now();
  let child = startInstance(api, dir, officesFile);
  const acknowledged = new Set<string>();
  let killedAfterAcks = -1;

  // Each user: one registration, resending a message that got no reply within 8 s.
  const waiting = new Map<number, (text: string) => void>();
  api.onSend = (m) => waiting.get(Number(m.chat_id))?.(m.text);
  const run = async (user: number) => {
    // People take a moment between answers; faster than 8 messages in 10 s is the rate limit.
    await new Promise((r) => setTimeout(r, (user % 50) * 20));
    for (const text of ANSWERS) {
      await new Promise((r) => setTimeout(r, THINK_MS));
      for (let attempt = 0; attempt < 6; attempt++) {
        const reply = await new Promise<string | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), 8000);
          waiting.set(user, (t) => {
            clearTimeout(timer);
            resolve(t);
          });
          api.pushText(user, text);
        });
        waiting.delete(user);
        if (reply === undefined) continue;
        const id = /DK-[2-9A-Z]{5}/.exec(reply)?.[0];
        if (id) acknowledged.add(id);
        break;
      }
    }
  };
  const all = Promise.all(Array.from({ length: users }, (_, i) => run(900_000 + i)));
  // Kill once a third of the users have been told "saved", then start again.
  const killer = (async () => {
    while (acknowledged.size < users / 3 && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 20));
    killedAfterAcks = acknowledged.size;
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    child = startInstance(api, dir, officesFile);
  })();
  await all;
  await killer;

  // Let the outbox finish, then read the store.
  const store = await openStore(`sqlite://${join(dir, "store.sqlite")}`);
  const registrations = new RegistrationStore(store);
  const deadline = Date.now() + 30_000;
  const isDelivered = (c: { id: string }) => [...deliveries.keys()].some((k) => k.startsWith(c.id));
  let cases = await registrations.list({});
  while (Date.now() < deadline) {
    cases = await registrations.list({});
    if (cases.every(isDelivered)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  const ids = new Set(cases.map((c) => c.id));
  const delivered = cases.filter(isDelivered).length;
  await store.close();
  hook.close();
  api.onSend = undefined;
  return {
    users,
    acknowledged: acknowledged.size,
    missingInStore: [...acknowledged].filter((id) => !ids.has(id)).length,
    casesInStore: ids.size,
    delivered,
    undelivered: ids.size - delivered,
    repeatedKeys: [...deliveries.values()].filter((n) => n > 1).length,
    killedAfterAcks,
    seconds: (Date.now() - started) / 1000,
  };
}
