/**
 * The CPE's undelivered events (TR-069 §3.7.1.5, cwmp-notes §3.4): cumulative across failed sessions, numbered
 * events at most once, "M …" events once per CommandKey. Events are dropped only after a successful session;
 * transfer events only once their TransferComplete has been answered.
 */
import type { EventStruct } from "../cwmp/types.js";

const NOTHING: readonly EventStruct[] = Object.freeze([]);
const TRANSFER_EVENT = "7 TRANSFER COMPLETE";
const TRANSFER_METHODS = new Set(["M Download", "M Upload", "M ScheduleDownload"]);

export class EventQueue {
  #queue: EventStruct[];
  #informed: readonly EventStruct[] = NOTHING;

  constructor(initial: readonly EventStruct[]) {
    this.#queue = [...initial];
  }

  get pending(): readonly EventStruct[] {
    return this.#queue;
  }

  /** Adds an event unless an equal one is already queued. */
  add(code: string, commandKey = ""): void {
    const multiple = code.startsWith("M ") || code.startsWith("X ");
    const dup = this.#queue.some((e) => e.code === code && (!multiple || e.commandKey === commandKey));
    if (!dup) this.#queue.push({ code, commandKey });
  }

  has(code: string): boolean {
    return this.#queue.some((e) => e.code === code);
  }

  /** Replaces everything (factory reset). */
  replace(events: readonly EventStruct[]): void {
    this.#queue = [...events];
    this.#informed = NOTHING;
  }

  /** The events for this session's Inform (remembered, to be cleared when the session succeeds). */
  forInform(): readonly EventStruct[] {
    this.#informed = [...this.#queue];
    return this.#informed;
  }

  /**
   * After a successful session: drops what was informed, except transfer events whose TransferComplete
   * (identified by CommandKey) is still unanswered.
   */
  delivered(unansweredTransfers: ReadonlySet<string>): void {
    const keep = (e: EventStruct): boolean => {
      if (e.code === TRANSFER_EVENT) return unansweredTransfers.size > 0;
      if (TRANSFER_METHODS.has(e.code)) return unansweredTransfers.has(e.commandKey);
      return false;
    };
    const drop = new Set(this.#informed.filter((e) => !keep(e)));
    this.#queue = this.#queue.filter((e) => !drop.has(e));
    this.#informed = NOTHING;
  }
}
