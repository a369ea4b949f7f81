/**
 * Fault test: the process that registers workers and hands cases off is SIGKILLed right
 * after it said "saved" and again while deliveries are under way; a restarted process on
 * the same sqlite file must still have every acknowledged case and deliver each hand-off
 * exactly once, through an officer endpoint that fails for a while and then recovers.
 *
 * "Exactly once" at the endpoint: a kill while a request is in flight leaves its outcome
 * unknown, so the restarted process sends it again, flagged in doubt and with the same
 * Idempotency-Key. The endpoint here, like a real webhook receiver, processes a key once;
 * the test checks that every key is processed exactly once and that the only repeats are
 * in-doubt resends (at most one per kill, since the outbox sends one item at a time).
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/store/store.ts";
import { RegistrationStore, isAnonymous } from "../src/registration/store.ts";
import { HandoffOutbox } from "../src/registration/outbox.ts";
import { parseDestinations, routeCase } from "../src/registration/routing.ts";
import { CRASH_DESTINATIONS } from "./fixtures/registration-crash-child.ts";
import { ROOT, tempDir } from "./helpers.ts";

const CHILD = join(ROOT, "test/fixtures/registration-crash-child.ts");

type Outcome = "ok" | "fail" | "hang";
interface Receipt {
  phase: string;
  key: string;
  inDoubt: boolean;
  outcome: Outcome;
}

let server: ReturnType<typeof createServer>;
let endpoint = "";
let phase = "";
let phaseRequests = 0;
let behave: (n: number) => Outcome = () => "ok";
let onHang: () => void = () => {};
const receipts: Receipt[] = [];
/** How many times the endpoint processed each key (a hung request counts: only its reply is lost). */
const processed = new Map<string, number>();
const hung: ServerResponse[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
  req.on("end", () => {
    const { inDoubt } = JSON.parse(body) as { inDoubt: boolean };
    const key = String(req.headers["idempotency-key"]);
    phaseRequests += 1;
    const outcome = behave(phaseRequests);
    receipts.push({ phase, key, inDoubt, outcome });
    if (outcome === "fail") {
      res.writeHead(503).end();
      return;
    }
    // De-duplicate on the idempotency key, as a webhook receiver would.
    processed.set(key, (processed.get(key) ?? 0) + (processed.has(key) ? 0 : 1));
    if (outcome === "hang") {
      hung.push(res);
      onHang();
      return;
    }
    res.writeHead(200).end("ok");
  });
}

interface ChildRun {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the child; `killAt` sees each stdout line and returns true to SIGKILL it there. */
function runChild(env: Record<string, string>, killAt?: (line: string, lines: string[]) => boolean): Promise<ChildRun> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    cwd: ROOT,
    env: { ...process.env, ...env, CRASH_ENDPOINT: endpoint },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  onHang = () => child.kill("SIGKILL");
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    if (killAt?.(line, lines)) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ lines, code, signal, stderr })));
}

function savedIds(run: ChildRun): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of run.lines) {
    const m = /^saved (DK-\w{5}) user=(\d+)$/.exec(line);
    if (m) out.set(Number(m[2]), m[1]!);
  }
  return out;
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/handoff`;
});

afterAll(async () => {
  for (const res of hung) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("registration under SIGKILL", () => {
  it("keeps every acknowledged case and delivers each hand-off exactly once", { timeout: 20_000 }, async () => {
    const dir = await tempDir("xkld-fault-");
    const db = join(dir.path, "store.sqlite");
    try {
      // Phase A: the endpoint is down; the process dies right after its third "saved".
      phase = "A";
      phaseRequests = 0;
      behave = () => "fail";
      const a = await runChild({ CRASH_DB: db, CRASH_USERS: "0:12", CRASH_SUBMIT_DELAY_MS: "40" }, (_line, lines) =>
        lines.filter((l) => l.startsWith("saved ")).length === 3,
      );
      expect(a.signal).toBe("SIGKILL");
      const savedA = savedIds(a);
      expect(savedA.size).toBeGreaterThanOrEqual(3);
      expect(savedA.size).toBeLessThan(12);

      // Phase B: a restart registers more people (and user 0 again); the endpoint fails
      // twice, accepts three, and the process is killed while the sixth request is in flight.
      phase = "B";
      phaseRequests = 0;
      behave = (n) => (n <= 2 ? "fail" : n <= 5 ? "ok" : "hang");
      const b = await runChild({ CRASH_DB: db, CRASH_USERS: "12:8", CRASH_REPEAT: "0" });
      expect(b.signal).toBe("SIGKILL");
      const savedB = savedIds(b);
      // A repeat registration is merged into the same case.
      if (savedB.has(0)) expect(savedB.get(0)).toBe(savedA.get(0));

      // Phase C: restart again; the endpoint is still down for four requests, then recovers.
      phase = "C";
      phaseRequests = 0;
      behave = (n) => (n <= 4 ? "fail" : "ok");
      const c = await runChild({ CRASH_DB: db, CRASH_USERS: "20:2" });
      expect(c.stderr).toBe("");
      expect(c.code).toBe(0);
      expect(c.lines.at(-1)).toBe("done");
      const savedC = savedIds(c);

      const kv = await openStore(`sqlite://${db}`);
      try {
        const regs = new RegistrationStore(kv);
        const outbox = new HandoffOutbox(kv);
        const destinations = parseDestinations(CRASH_DESTINATIONS);

        // Every case a worker was told "saved" about is there, with that worker's data.
        const acknowledged = [...savedA, ...savedB, ...savedC];
        for (const [user, id] of acknowledged) {
          const registration = await regs.get(id);
          expect(registration, `${id} (user ${user})`).toBeDefined();
          expect(registration!.userKey).toBe(`test:${user}`);
          expect(registration!.fullName).toBe(`Người lao động ${user}`);
        }
        // One case per person, even across the crash and the repeat.
        const cases = (await Promise.all((await regs.caseIds()).map((id) => regs.getRecord(id)))).filter((r) => r !== undefined);
        const users = cases.map((r) => (isAnonymous(r) ? "" : r.userKey));
        expect(new Set(users).size).toBe(users.length);
        expect(cases.length).toBeGreaterThanOrEqual(new Set(acknowledged.map(([, id]) => id)).size);

        // Each case went to its office (commune, province default or unrouted)...
        const expectedKeys = new Set(cases.map((r) => `${r.id}>${r.routedTo}`));
        for (const r of cases) expect(r.routedTo).toBe(routeCase(r, destinations).key);
        expect(new Set(cases.map((r) => r.routedTo))).toEqual(new Set(["commune:ha-noi-bo-de", "province:cao-bang", "unrouted"]));
        // ...and every hand-off is delivered, processed exactly once by the endpoint.
        expect(await outbox.pending()).toEqual([]);
        expect(new Set((await outbox.delivered()).map((i) => i.id))).toEqual(expectedKeys);
        expect(new Set(processed.keys())).toEqual(expectedKeys);
        for (const [key, count] of processed) expect(count, key).toBe(1);

        // Repeats reaching the endpoint are only in-doubt resends, one per kill at most.
        const seen = new Set<string>();
        const repeats = receipts.filter((r) => {
          if (r.outcome === "fail") return false;
          const repeat = seen.has(r.key);
          seen.add(r.key);
          return repeat;
        });
        for (const r of repeats) expect(r.inDoubt, JSON.stringify(receipts)).toBe(true);
        expect(repeats.length).toBeLessThanOrEqual(1);
        // The request cut off by the kill in phase B was resent after the restart.
        const cutOff = receipts.find((r) => r.outcome === "hang")!;
        expect(receipts.some((r) => r.phase === "C" && r.key === cutOff.key && r.inDoubt && r.outcome === "ok")).toBe(true);
        // The endpoint really was down in each phase, and the outbox got through anyway.
        for (const p of ["A", "B", "C"]) expect(receipts.some((r) => r.phase === p && r.outcome === "fail"), p).toBe(true);
      } finally {
        await kv.close();
      }
    } finally {
      await dir.cleanup();
    }
  });
});
