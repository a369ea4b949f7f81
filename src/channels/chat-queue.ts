/**
 * Per-chat ordering: work for one chat runs one after another, in the order it arrived;
 * different chats run in parallel. A person who sends "Đài Loan" and then "3 năm" must get
 * the answers in that order, and the second message must see the state the first left.
 *
 * @example
 * const queue = new ChatQueue();
 * void queue.run("chat-1", () => answer(first));
 * void queue.run("chat-1", () => answer(second)); // starts when the first is done
 * await queue.drain();                           // shutting down: wait for both
 */
export class ChatQueue {
  /** The last work queued per chat; the next waits for it. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * Runs `work` after the chat's earlier work has settled (whether it succeeded or not).
   * Queued synchronously, so `drain()` called right after sees it.
   */
  run<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(chatId) ?? Promise.resolve();
    const result = previous.then(work, work);
    // The chain must survive a failure: the next message of the chat still gets answered.
    const settled = result.then(() => undefined, () => undefined);
    this.tails.set(chatId, settled);
    this.inFlight.add(settled);
    void settled.then(() => {
      this.inFlight.delete(settled);
      if (this.tails.get(chatId) === settled) this.tails.delete(chatId);
    });
    return result;
  }

  /** Chats with work queued or running (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves when every piece of work queued so far (and any queued meanwhile) has settled. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
