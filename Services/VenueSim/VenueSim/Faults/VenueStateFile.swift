import Foundation

/// The venue's book on disk (BW_VENUE_STATE_PATH), so a restarted venue-sim keeps
/// its orders, fills, balances and id counters, and keeps answering about old orders.
///
/// A snapshot (`path`, written atomically: temp file, fsync, rename, directory
/// fsync) plus a log of the changes since (`path.log`, appended and fsynced in
/// group commits). Loading replays the log onto the snapshot, then writes a new
/// snapshot and empties the log. A torn last log line (kill -9 mid-write) is ignored:
/// nothing it described was ever answered or streamed.
struct VenueStateFile: Sendable {
    /// Where the snapshot lives; the log is `path.log`.
    let path: String
    /// The change log.
    var logPath: String { path + ".log" }

    /// The saved book with its log replayed (and compacted), or nil when there is none.
    /// - Throws: when the snapshot exists but cannot be read or decoded (refuse to
    ///   start with a corrupt book rather than silently start empty).
    func load() throws -> SavedBook? {
        let snapshot: SavedBook? = FileManager.default.fileExists(atPath: path)
            ? try JSONDecoder().decode(SavedBook.self, from: Data(contentsOf: URL(fileURLWithPath: path))) : nil
        guard var book = snapshot else { return nil }
        if let log = FileManager.default.contents(atPath: logPath) {
            let decoder = JSONDecoder()
            for line in log.split(separator: UInt8(ascii: "\n")) {
                guard let event = try? decoder.decode(BookEvent.self, from: Data(line)) else { break }
                guard event.seq > book.lastEventSeq else { continue }
                event.apply(to: &book.exchange)
                book.lastEventSeq = event.seq
            }
        }
        try save(book)
        return book
    }

    /// Writes a snapshot atomically and durably, then empties the log it covers.
    func save(_ book: SavedBook) throws {
        let temporary = path + ".tmp"
        try write(JSONEncoder().encode(book), to: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        guard rename(temporary, path) == 0 else { throw StateFileError(path: path, operation: "rename", errno: errno) }
        syncDirectory()
        try write(Data(), to: logPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
    }

    /// Appends `events` to the log and fsyncs it (one group commit).
    func append(_ events: [BookEvent]) throws {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        var data = Data()
        for event in events {
            data.append(try encoder.encode(event))
            data.append(UInt8(ascii: "\n"))
        }
        try write(data, to: logPath, flags: O_WRONLY | O_CREAT | O_APPEND)
    }

    private func write(_ data: Data, to file: String, flags: Int32) throws {
        let fd = open(file, flags, 0o644)
        guard fd >= 0 else { throw StateFileError(path: file, operation: "open", errno: errno) }
        defer { close(fd) }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = Glibc.write(fd, base + offset, buffer.count - offset)
                guard written > 0 else { throw StateFileError(path: file, operation: "write", errno: errno) }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw StateFileError(path: file, operation: "fsync", errno: errno) }
    }

    private func syncDirectory() {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// A failed write or read of the venue's state file.
struct StateFileError: Error, CustomStringConvertible {
    /// The file.
    let path: String
    /// What failed.
    let operation: String
    /// The system error.
    let errno: Int32
    /// For the log and the startup error.
    var description: String { "venue state file \(path): \(operation) failed (errno \(errno))" }
}
