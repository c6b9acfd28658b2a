import Logging
import Observability
import Synchronization
import Testing

/// The redaction layer (S1): by field name, by value pattern, by registered literal.
@Suite("redaction of secrets")
struct RedactorTests {
    @Test("secret field values are masked in key=value, key: value and JSON forms", arguments: [
        ("api_key=abcd1234 side=buy", "api_key=[REDACTED] side=buy"),
        ("password: hunter22, user: bob", "password: [REDACTED], user: bob"),
        (#"{"api_secret":"s3cr3t\"x","qty":"1"}"#, #"{"api_secret":"[REDACTED]","qty":"1"}"#),
        (#"{"X-MBX-SIGNATURE":"9f8e7d"}"#, #"{"X-MBX-SIGNATURE":"[REDACTED]"}"#),
        ("refresh_token=zzz&next=1", "refresh_token=[REDACTED]&next=1"),
    ])
    func fieldNames(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test("value patterns are masked wherever they occur: JWT, bearer, PEM private key")
    func valuePatterns() {
        let redactor = Redactor()
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
        #expect(redactor.redact("got \(jwt) from venue") == "got [REDACTED] from venue")
        #expect(redactor.redact("header Bearer abc.DEF-123") == "header [REDACTED]")
        let pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----"
        #expect(redactor.redact("key follows \(pem) end") == "key follows [REDACTED] end")
    }

    @Test("ordinary trading fields and W3C trace ids are left alone")
    func leavesOrdinaryText() {
        let redactor = Redactor()
        let line = #"{"type":"risk.authorize","key":"acct-1","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","qty":"0.01"}"#
        #expect(redactor.redact(line) == line)
        #expect(!redactor.containsSecret("order.client_id=abc-1 risk.check.duration=3ms"))
    }

    @Test("registered literals and secret-named environment values are masked anywhere")
    func literals() {
        let redactor = Redactor()
        redactor.addSecrets(fromEnvironment: ["BW_VENUE_API_SECRET": "CANARY-7f3a", "BW_BUS_PORT": "5555"])
        #expect(redactor.redact("connecting with CANARY-7f3a as secret") == "connecting with [REDACTED] as secret")
        #expect(redactor.redact("port 5555") == "port 5555")
    }

    @Test("the log handler masks the message, secret-named metadata and secrets nested in metadata")
    func logHandler() {
        let sink = CapturingHandler()
        let redactor = Redactor()
        redactor.addSecret("CANARY-99")
        var logger = Logger(label: "test") { _ in RedactingLogHandler(upstream: sink, redactor: redactor) }
        logger.logLevel = .debug
        logger.info("login password=pw123 with CANARY-99", metadata: [
            "api_key": "k1", "detail": .dictionary(["note": "token: t0k"]), "list": ["CANARY-99"],
        ])
        let line = sink.lines.withLock { $0.joined() }
        #expect(!line.contains("pw123") && !line.contains("CANARY-99") && !line.contains("k1") && !line.contains("t0k"))
        #expect(line.contains("[REDACTED]"))
    }
}

/// Collects what reaches it (one component's unit test: the upstream of the redactor).
final class CapturingHandler: LogHandler, Sendable {
    let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.message) \(event.metadata ?? [:])") }
    }
}

/// Secrets nested inside a harmless JSON field's value (what a client can put in a header key).
@Suite("redaction inside harmless fields")
struct NestedRedactionTests {
    @Test("a token=… inside the value of a non-secret JSON field is masked")
    func nested() {
        let header = #"{"id":"m1","key":"token=abc123","type":"order.get"}"#
        #expect(Redactor().redact(header) == #"{"id":"m1","key":"token=[REDACTED]","type":"order.get"}"#)
    }
}
