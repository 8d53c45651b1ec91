package load

import "math/bits"

// tally is one receiver's record of the messages it has received, kept so that lost,
// duplicated and out-of-order deliveries can be counted exactly. Messages are numbered by
// sender slot (0 to senders-1) and sequence number (0 to messages-1). Only the
// receiver's reader goroutine uses a tally; the run reads it after that goroutine ends.
type tally struct {
	messages int      // messages per sender
	words    int      // uint64 words of seen per sender
	seen     []uint64 // one bit per (slot, seq): received at least once
	last     []int32  // per slot, the highest seq received so far, or -1

	received   int64 // distinct messages received
	duplicates int64 // messages received again
	outOfOrder int64 // messages received after a later one from the same sender
	unexpected int64 // messages whose slot or seq is outside the run's range
}

func newTally(senders, messages int) *tally {
	words := (messages + 63) / 64
	t := &tally{
		messages: messages,
		words:    words,
		seen:     make([]uint64, senders*words),
		last:     make([]int32, senders),
	}
	for i := range t.last {
		t.last[i] = -1
	}
	return t
}

// record notes message seq of sender slot and reports whether it is the first time this
// receiver got it. A message from outside the run's range is counted as unexpected.
func (t *tally) record(slot, seq int) (first bool) {
	if slot < 0 || slot >= len(t.last) || seq < 0 || seq >= t.messages {
		t.unexpected++
		return false
	}
	word := &t.seen[slot*t.words+seq/64]
	bit := uint64(1) << (seq % 64)
	if *word&bit != 0 {
		t.duplicates++
		return false
	}
	*word |= bit
	t.received++
	if int32(seq) < t.last[slot] {
		t.outOfOrder++
	} else {
		t.last[slot] = int32(seq)
	}
	return true
}

// has reports whether message seq of sender slot was received.
func (t *tally) has(slot, seq int) bool {
	return t.seen[slot*t.words+seq/64]&(uint64(1)<<(seq%64)) != 0
}

// missing counts the messages that were sent (sent[slot] of each slot) but not received,
// leaving out slot skip (a sender does not receive its own messages; -1 skips none).
func (t *tally) missing(sent []int, skip int) int64 {
	var n int64
	for slot, count := range sent {
		if slot == skip {
			continue
		}
		count = min(count, t.messages)
		words := t.seen[slot*t.words : slot*t.words+t.words]
		got := 0
		for i := 0; i*64 < count; i++ {
			w := words[i]
			if rest := count - i*64; rest < 64 {
				w &= uint64(1)<<rest - 1
			}
			got += bits.OnesCount64(w)
		}
		n += int64(count - got)
	}
	return n
}
