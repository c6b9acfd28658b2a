import PersistenceWriter
import ServiceRuntime

// persistence-writer: the single writer of the SQLite WAL journal (BW_DB_PATH).
await ServiceMain.run(service: "persistence-writer") { settings, logger in
    WriterService(configuration: try WriterService.Configuration(settings: settings), logger: logger)
}
