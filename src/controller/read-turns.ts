// Fair reading across switch connections. Node reads a busy socket in bursts (libuv reads up to 32
// times 64 KiB from one socket before it looks at the next), and a session that handled all of such a
// burst at once would hold up every other switch, and its own handshake replies queued behind its own
// packet-ins, for as long. So a session handles at most a batch of messages per turn of the event loop.
// One with more waiting keeps it, unframed (past a bound it also stops reading its socket), and asks
// for a turn: when the poll phase has served every other socket, at setImmediate, each waiting session
// gets its next batch, in the order they asked. Turns are only counted while someone waits: a session
// under light load may use its batch over several real turns, and then waits for one check phase.

export interface TurnTaker {
  /** Handles the next batch of what it has waiting; asks for another turn if that is not all. */
  nextBatch(): void;
}

export class ReadTurns {
  /** Advances by one at the end of every event-loop turn in which a session waited for one. */
  turn = 0;
  private scheduled = false;
  private waiting: TurnTaker[] = [];
  /** The list being served while new requests go to `waiting` (swapped, so no turn allocates one). */
  private serving: TurnTaker[] = [];

  /** Asks for a batch at the end of this turn. */
  wait(t: TurnTaker): void {
    this.waiting.push(t);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.endTurn);
  }

  private readonly endTurn = (): void => {
    this.scheduled = false;
    this.turn++;
    const list = this.waiting;
    this.waiting = this.serving;
    this.serving = list;
    for (let i = 0; i < list.length; i++) list[i]!.nextBatch();
    list.length = 0;
  };
}
