import Foundation

/// The venue's book on disk (BW_VENUE_STATE_PATH), so a restarted venue-sim keeps
/// its orders, fills, balances and id counters, and keeps answering about old orders.
///
/// Written atomically: the JSON goes to `path.tmp`, is fsynced, renamed over `path`,
/// and the directory is fsynced — a kill -9 leaves either the old or the new book.
struct VenueStateFile: Sendable {
    /// Where the book lives.
    let path: String

    /// The saved book, or nil when there is none yet.
    /// - Throws: when the file exists but cannot be read or decoded (refuse to start
    ///   with a corrupt book rather than silently start empty).
    func load() throws -> PaperExchange? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(PaperExchange.self, from: data)
    }

    /// Saves `exchange` atomically and durably.
    func save(_ exchange: PaperExchange) throws {
        let data = try JSONEncoder().encode(exchange)
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw StateFileError(path: temporary, operation: "open", errno: errno) }
        defer { close(fd) }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else { throw StateFileError(path: temporary, operation: "write", errno: errno) }
                offset += written
            }
        }
        guard fsync(fd) == 0 else { throw StateFileError(path: temporary, operation: "fsync", errno: errno) }
        guard rename(temporary, path) == 0 else { throw StateFileError(path: path, operation: "rename", errno: errno) }
        let directory = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}

/// A failed write or read of the venue's state file.
struct StateFileError: Error, CustomStringConvertible {
    let path: String
    let operation: String
    let errno: Int32
    var description: String { "venue state file \(path): \(operation) failed (errno \(errno))" }
}
