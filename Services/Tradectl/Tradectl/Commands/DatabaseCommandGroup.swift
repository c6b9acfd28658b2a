import ArgumentParser
import BusProtocol
import Foundation
import TradingModel

/// `tradectl db backup PATH` and `tradectl db check`: the journal file, read-only.
struct DatabaseCommandGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Back up and check the journal database (read-only, beside the running writer).",
        subcommands: [Backup.self, Check.self])

    /// Where the journal is: `--db`, else BW_DB_PATH, else the default of the writer.
    struct DatabaseOptions: ParsableArguments {
        @Option(help: "The journal database (default: $BW_DB_PATH or ./data/breakwater.sqlite).")
        var db: String?

        var path: String {
            db ?? ProcessInfo.processInfo.environment["BW_DB_PATH"].flatMap { $0.isEmpty ? nil : $0 }
                ?? "./data/breakwater.sqlite"
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the live journal to PATH (a consistent snapshot; the writer keeps writing). Prints the copy's check.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The new backup file (must not exist).")
        var path: String

        func run() async throws {
            do {
                print(prettyJSON(try JournalFile.backup(from: database.path, to: path)))
            } catch let error as ServiceError {
                throw PrintedError(error: error)
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print integrity_check, WAL size and last seq as JSON; exit 1 unless the integrity is ok.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let health: JournalHealth
            do {
                health = try JournalFile.check(database.path)
            } catch let error as ServiceError {
                throw PrintedError(error: error)
            }
            print(prettyJSON(health))
            if health.integrity != "ok" { throw ExitCode(1) }
        }
    }
}
