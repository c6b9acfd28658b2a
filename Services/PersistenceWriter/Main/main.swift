import PersistenceWriter
import ServiceRuntime

// persistence-writer: the single writer of the SQLite WAL journal (BW_DB_PATH).
await ServiceMain.run(service: "persistence-writer") { settings, logger in
    var journal = JournalConfiguration(path: settings.string("BW_DB_PATH", default: "./data/breakwater.sqlite"))
    journal.synchronousFull = settings.string("BW_DB_SYNCHRONOUS", default: "normal").lowercased() == "full"
    var configuration = WriterService.Configuration(endpoints: try settings.busEndpoints(), journal: journal)
    configuration.queueLimit = try settings.int("BW_WRITER_QUEUE_LIMIT", default: 50_000, in: 10...10_000_000)
    return WriterService(configuration: configuration, logger: logger)
}
