/// Cuts a child's byte stream into lines, keeping an unfinished tail until the next chunk or the end.
///
/// A line longer than `maxLineBytes` is cut into pieces of that size, so that a child writing without newlines
/// cannot make the supervisor's memory grow without bound. Bytes are decoded as UTF-8 (invalid sequences become
/// U+FFFD); a trailing carriage return is dropped.
struct LineSplitter {
    /// Longest line forwarded whole, in bytes.
    static let maxLineBytes = 16 * 1024

    let maxLineBytes: Int
    private var pending: [UInt8] = []

    /// A splitter with nothing pending.
    init(maxLineBytes: Int = Self.maxLineBytes) {
        precondition(maxLineBytes > 0, "lines need room for at least one byte")
        self.maxLineBytes = maxLineBytes
    }

    /// Adds a chunk read from the child and emits every line it completes.
    mutating func append(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) {
        var start = 0
        for index in 0..<bytes.count where bytes[index] == 0x0A {
            pending.append(contentsOf: bytes[start..<index])
            emitOverlong(emit)
            emit(Self.decode(pending[...]))
            pending.removeAll(keepingCapacity: true)
            start = index + 1
        }
        pending.append(contentsOf: bytes[start...])
        emitOverlong(emit)
    }

    /// Emits the unfinished last line, if any: called once the child's output is closed.
    mutating func finish(emit: (String) -> Void) {
        guard !pending.isEmpty else { return }
        emit(Self.decode(pending[...]))
        pending.removeAll()
    }

    private mutating func emitOverlong(_ emit: (String) -> Void) {
        while pending.count > maxLineBytes {
            emit(Self.decode(pending[..<maxLineBytes]))
            pending.removeFirst(maxLineBytes)
        }
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        let line = bytes.last == 0x0D ? bytes.dropLast() : bytes
        return String(decoding: line, as: UTF8.self)
    }
}
