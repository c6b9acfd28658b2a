import Foundation
import Testing
import TestSupport

/// A bad setting stops the writer at startup with a clear message and status 2,
/// instead of silently running with a default.
@Suite("persistence-writer refuses bad settings", .timeLimit(.minutes(5)))
struct WriterSettingsTests {
    @Test(arguments: [
        ("BW_DB_SYNCHRONOUS", "fulll"), ("BW_DB_SYNCHRONOUS", "off"), ("BW_LOG_LEVEL", "verbose"),
        ("BW_WRITER_QUEUE_LIMIT", "many"), ("BW_WRITER_MAX_BATCH", "0"),
    ])
    func aBadValueStopsTheWriterWithAMessageNamingIt(key: String, value: String) throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let result = try suite.runToExit("persistence-writer", environment: [key: value])
        #expect(result.status == 2)
        #expect(result.stderr.contains(key))
        #expect(result.stderr.contains("'\(value)'") || result.stderr.contains("outside"))
        #expect(!FileManager.default.fileExists(atPath: suite.databasePath), "nothing may be written on a bad setting")
    }

    @Test func goodValuesAreAcceptedCaseInsensitively() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start("persistence-writer", as: "writer", environment: ["BW_DB_SYNCHRONOUS": "FULL", "BW_LOG_LEVEL": "Warning"])
        #expect(try await eventually { FileManager.default.fileExists(atPath: suite.databasePath) })
        #expect(suite.isRunning("writer"))
    }
}
