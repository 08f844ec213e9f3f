/// The last timestamp a ``SyslogParser`` read: its bytes and what they gave. Consecutive lines
/// of a log mostly share their timestamp (59 % of a real internet-facing sshd log's lines repeat
/// the one before, 88 % of a real Linux syslog's), and reading one again from bytes costs more
/// than comparing a few words.
///
/// It holds the timestamp's bytes and the byte after it (which the reader looks at to see where
/// the timestamp ends), up to 40 bytes, compared as whole words: a line whose words at the same
/// place are the same reads the same timestamp. What the reader's state adds is the same too:
/// the year chosen for a line without one changes nothing when the same month comes again
/// (see `YearTracker`), and the memo is forgotten on every other reading, so it only ever
/// stands for the reading just before.
struct TimestampMemo {
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0, w4: UInt64 = 0
    /// Words compared (2 to 5); 0 when nothing is kept.
    private var words = 0
    /// What the timestamp gave: UTC microseconds and its length in bytes.
    private var micros: Int64 = 0
    private var length = 0

    /// The timestamp at `i` when its bytes are those kept: microseconds and the index after it.
    @inline(__always) func lookUp(_ s: ByteSpan, at i: Int) -> (Int64, Int)? {
        guard words > 0, i + 8 * words <= s.count else { return nil }
        let p = UnsafeRawPointer(s.base + i)
        guard p.loadUnaligned(as: UInt64.self) == w0, p.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == w1 else { return nil }
        if words > 2 {
            guard p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) == w2 else { return nil }
            if words > 3 {
                guard p.loadUnaligned(fromByteOffset: 24, as: UInt64.self) == w3 else { return nil }
                if words > 4, p.loadUnaligned(fromByteOffset: 32, as: UInt64.self) != w4 { return nil }
            }
        }
        return (micros, i + length)
    }

    /// Keeps the timestamp read at `i` to `end` (exclusive) as `micros`, when it and the byte
    /// after it fit; forgets the last one otherwise.
    mutating func keep(_ s: ByteSpan, at i: Int, end: Int, micros: Int64) {
        let needed = max(2, (end - i + 1 + 7) / 8)
        guard needed <= 5, i + 8 * needed <= s.count else { words = 0; return }
        let p = UnsafeRawPointer(s.base + i)
        w0 = p.loadUnaligned(as: UInt64.self)
        w1 = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        if needed > 2 { w2 = p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) }
        if needed > 3 { w3 = p.loadUnaligned(fromByteOffset: 24, as: UInt64.self) }
        if needed > 4 { w4 = p.loadUnaligned(fromByteOffset: 32, as: UInt64.self) }
        words = needed
        self.micros = micros
        length = end - i
    }

    /// Forgets the timestamp kept.
    mutating func forget() { words = 0 }
}
