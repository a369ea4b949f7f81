/**
 * Structured logs with pino. At info level we log events and sizes, never message text
 * or personal data; `maskPhone` is for the rare debug line that must mention a number.
 */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level = "info", destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: "xkld-assistant" },
      redact: { paths: ["text", "*.text", "message.text", "phone", "*.phone", "name", "*.name"], censor: "[redacted]" },
    },
    destination ?? process.stderr,
  );
}

/** "0912345678" → "09******78" */
export function maskPhone(text: string): string {
  return text.replace(/(\+?\d{2})\d{4,8}(\d{2})/g, (_, a: string, b: string) => `${a}${"*".repeat(6)}${b}`);
}
