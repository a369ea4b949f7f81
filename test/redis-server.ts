/**
 * A throwaway redis-server on a free loopback port for the storage tests. `.ci/run`
 * installs redis-server and sets XKLD_REQUIRE_REDIS=1, so CI never skips these tests; on a
 * machine without it they are skipped with a note saying how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export const redisAvailable = spawnSync("redis-server", ["--version"]).status === 0;
export const redisRequired = process.env.XKLD_REQUIRE_REDIS === "1";
if (!redisAvailable && redisRequired) {
  throw new Error("XKLD_REQUIRE_REDIS=1 but redis-server is not installed: apt-get install redis-server");
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  // Wait until it accepts connections.
  const { createConnection } = await import("node:net");
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection(port, "127.0.0.1", () => (sock.end(), resolve(true)));
      sock.on("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop: async () => void child.kill("SIGTERM") };
}
