/**
 * A chat model for tests that answers every call from a function of the messages (as many
 * calls as needed, unlike `fakeModel()`'s queue), optionally after a delay, ignoring the
 * abort signal like a slow provider might. Tools are accepted and not used.
 */
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

export class ScriptedChatModel extends BaseChatModel {
  readonly seen: BaseMessage[][] = [];
  constructor(private readonly script: (messages: BaseMessage[]) => string, private readonly delayMs = 0) {
    super({});
  }
  _llmType(): string {
    return "scripted";
  }
  override bindTools(): this {
    return this;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.seen.push(messages);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const text = this.script(messages);
    return { generations: [{ text, message: new AIMessage(text) }] };
  }
}

/** The person's question as the assistant wrapped it for the model. */
export function questionOf(messages: BaseMessage[]): string {
  const last = String(messages[messages.length - 1]?.content ?? "");
  return /<cau_hoi>\n([\s\S]*?)\n<\/cau_hoi>/.exec(last)?.[1] ?? "";
}
