import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing

@testable import Tradectl

/// The supervisor behind `tradectl up`, exercised with real child processes (/bin/sh scripts). The tests never
/// sleep: they await output lines, or the end of `run()`, each with a deadline.
@Suite(.timeLimit(.minutes(1)))
struct SupervisorTests {
    @Test("each child's stdout and stderr lines arrive behind its padded name")
    func prefixesOutputLines() async throws {
        let recorder = LineRecorder()
        let supervisor = makeSupervisor(
            [
                shell("bus", "echo hello from bus; exec sleep 1000"),
                shell("persistence-writer", "echo to stderr >&2; exec sleep 1000"),
            ],
            recorder
        )
        async let status = supervisor.run()
        try #require(await recorder.line { $0 == "bus                | hello from bus" } != nil)
        try #require(await recorder.line { $0 == "persistence-writer | to stderr" } != nil)
        let busPid = try #require(await recorder.pid(of: "bus"))
        #expect(recorder.lines.contains("supervisor         | bus started (pid \(busPid))"))
        supervisor.stop()
        #expect(try await status == Supervisor.cleanStopStatus)
    }

    @Test("an unfinished last line is flushed when the child ends, before its exit is reported")
    func flushesPartialLastLine() async throws {
        let recorder = LineRecorder()
        // One printf, one write: once "ready" is seen, the unfinished line is in the pipe too.
        let supervisor = makeSupervisor([shell("writer", "printf 'ready\\nno newline'; exec sleep 1000")], recorder)
        async let status = supervisor.run()
        try #require(await recorder.line { $0.hasSuffix("| ready") } != nil)
        supervisor.stop()
        #expect(try await status == Supervisor.cleanStopStatus)
        let lines = recorder.lines
        let partial = try #require(lines.firstIndex(of: "writer     | no newline"))
        let exit = try #require(lines.firstIndex { $0.contains("writer was killed by signal 15 (SIGTERM)") })
        #expect(partial < exit)
    }

    @Test("stop() ends every child within the timeout, SIGKILLing one that ignores SIGTERM, and returns 0")
    func stopKillsStubbornChild() async throws {
        let recorder = LineRecorder()
        let stopTimeout = Duration.milliseconds(500)
        let supervisor = makeSupervisor(
            [
                shell("polite", "echo ready; exec sleep 1000"),
                shell("stubborn", "trap '' TERM; echo ready; exec sleep 1000"),
            ],
            recorder,
            stopTimeout: stopTimeout
        )
        async let status = supervisor.run()
        try #require(await recorder.line { $0.hasPrefix("polite") && $0.hasSuffix("| ready") } != nil)
        try #require(await recorder.line { $0.hasPrefix("stubborn") && $0.hasSuffix("| ready") } != nil)
        let pids = [try #require(await recorder.pid(of: "polite")), try #require(await recorder.pid(of: "stubborn"))]

        let clock = ContinuousClock()
        let stopStarted = clock.now
        supervisor.stop()
        supervisor.stop()  // idempotent
        #expect(try await status == Supervisor.cleanStopStatus)
        #expect(stopStarted.duration(to: clock.now) < stopTimeout + .seconds(2))
        #expect(recorder.lines.contains { $0.contains("stubborn did not stop within 500ms; sending SIGKILL") })
        #expect(recorder.lines.contains { $0.contains("stubborn was killed by signal 9 (SIGKILL)") })
        #expect(recorder.lines.contains { $0.contains("polite was killed by signal 15 (SIGTERM)") })
        for pid in pids { #expect(!isAlive(pid)) }
    }

    @Test("a stop signals the children in reverse start order and restarts none of them, whatever their status")
    func stopsInReverseOrderWithoutRestarts() async throws {
        let recorder = LineRecorder()
        // On SIGTERM each exits with status 1, which would be a crash while running.
        let script = "trap 'echo stopping; exit 1' TERM; echo ready; sleep 1000 & wait"
        let names = ["first", "second", "third"]
        let supervisor = makeSupervisor(names.map { shell($0, script) }, recorder)
        async let status = supervisor.run()
        for name in names {
            try #require(await recorder.line { $0.hasPrefix(name) && $0.hasSuffix("| ready") } != nil)
        }
        supervisor.stop()
        #expect(try await status == Supervisor.cleanStopStatus)
        let lines = recorder.lines
        let stopping = try names.map { name in
            try #require(lines.firstIndex { $0.hasPrefix(name) && $0.hasSuffix("| stopping") })
        }
        #expect(stopping[2] < stopping[1] && stopping[1] < stopping[0])
        #expect(!lines.contains { $0.contains("restart") })
        #expect(lines.contains { $0.contains("first exited with status 1") })
    }

    @Test("a child that crashes is restarted after the backoff, and the restart shows")
    func restartsCrashedChild() async throws {
        let recorder = LineRecorder()
        let marker = FileManager.default.temporaryDirectory
            .appendingPathComponent("supervisor-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let script = """
            if [ -e "$MARKER" ]; then echo second run; exec sleep 1000; fi
            touch "$MARKER"; echo first run; exit 3
            """
        let supervisor = makeSupervisor(
            [shell("steady", "echo ready; exec sleep 1000"), shell("crasher", script, ["MARKER": marker])],
            recorder,
            restartPolicy: RestartPolicy(
                initialDelay: .milliseconds(50), maxDelay: .seconds(1), maxCrashes: 5, crashWindow: .seconds(60)
            )
        )
        async let status = supervisor.run()
        try #require(await recorder.line { $0 == "crasher    | second run" } != nil)
        supervisor.stop()
        #expect(try await status == Supervisor.cleanStopStatus)
        let lines = recorder.lines
        let first = try #require(lines.firstIndex(of: "crasher    | first run"))
        let crash = try #require(lines.firstIndex(of: "supervisor | crasher exited with status 3; restarting in 50ms"))
        let restart = try #require(lines.firstIndex { $0.hasPrefix("supervisor | crasher restarted (pid ") })
        let second = try #require(lines.firstIndex(of: "crasher    | second run"))
        // The child's own output is read from its pipe on another thread, so "second run" may be
        // printed before or after the supervisor's "restarted" line; both must follow the crash.
        #expect(first < crash && crash < restart && crash < second)
        #expect(lines.filter { $0.contains("steady started") }.count == 1)
    }

    @Test("more crashes than the policy allows within the window stop everything with a non-zero status")
    func crashLoopStopsEverything() async throws {
        let recorder = LineRecorder()
        let supervisor = makeSupervisor(
            [shell("steady", "echo ready; exec sleep 1000"), shell("crasher", "echo boom; exit 1")],
            recorder,
            restartPolicy: RestartPolicy(
                initialDelay: .milliseconds(10), maxDelay: .milliseconds(40), maxCrashes: 5, crashWindow: .seconds(60)
            )
        )
        let status = try await supervisor.run()
        #expect(status == Supervisor.crashLoopStatus)
        let lines = recorder.lines
        #expect(lines.filter { $0 == "crasher    | boom" }.count == 6)
        #expect(lines.contains { $0.contains("crasher exited with status 1; restarting in 40ms") })
        #expect(lines.contains { $0.contains("6 crashes within 60s is a crash loop: stopping everything") })
        #expect(!isAlive(try #require(await recorder.pid(of: "steady"))))
    }

    @Test("a Ctrl-C that reaches the children too still ends in a clean stop")
    func interruptedChildrenDuringStop() async throws {
        let recorder = LineRecorder()
        let supervisor = makeSupervisor(
            [shell("bus", "echo ready; exec sleep 1000"), shell("gateway", "echo ready; exec sleep 1000")],
            recorder
        )
        async let status = supervisor.run()
        for name in ["bus", "gateway"] {
            try #require(await recorder.line { $0.hasPrefix(name) && $0.hasSuffix("| ready") } != nil)
        }
        for name in ["bus", "gateway"] { kill(-(try #require(await recorder.pid(of: name))), SIGINT) }
        supervisor.stop()
        #expect(try await status == Supervisor.cleanStopStatus)
        #expect(!recorder.lines.contains { $0.contains(" restarted (pid") })
    }

    @Test("a stop signal sent to the supervisor stops it cleanly")
    func stopSignal() async throws {
        let recorder = LineRecorder()
        // SIGUSR2 stands in for SIGINT/SIGTERM, which would reach the whole test runner; no other test uses it.
        let supervisor = makeSupervisor([shell("bus", "echo ready; exec sleep 1000")], recorder, stopSignals: [SIGUSR2])
        async let status = supervisor.run()
        try #require(await recorder.line { $0.hasSuffix("| ready") } != nil)  // the trap is set before any child
        kill(getpid(), SIGUSR2)
        #expect(try await status == Supervisor.cleanStopStatus)
        #expect(recorder.lines.contains { $0.contains("stopping (received SIGUSR2)") })
    }

    @Test("stop() before run() makes run() return 0 without starting anything")
    func stopBeforeRun() async throws {
        let recorder = LineRecorder()
        let supervisor = makeSupervisor([shell("bus", "echo ready; exec sleep 1000")], recorder)
        supervisor.stop()
        #expect(try await supervisor.run() == Supervisor.cleanStopStatus)
        #expect(!recorder.lines.contains { $0.contains("started") })
    }

    @Test("cancelling run() stops the children")
    func cancellationStops() async throws {
        let recorder = LineRecorder()
        let supervisor = makeSupervisor([shell("bus", "echo ready; exec sleep 1000")], recorder)
        let run = Task { try await supervisor.run() }
        try #require(await recorder.line { $0.hasSuffix("| ready") } != nil)
        run.cancel()
        #expect(try await run.value == Supervisor.cleanStopStatus)
        #expect(!isAlive(try #require(await recorder.pid(of: "bus"))))
    }

    @Test("a program that cannot be started fails the run, after stopping those already started")
    func startFailure() async throws {
        let recorder = LineRecorder()
        let supervisor = makeSupervisor(
            [
                shell("bus", "echo ready; exec sleep 1000"),
                SupervisedProcess(name: "missing", executable: "/nonexistent/breakwater/missing"),
            ],
            recorder
        )
        await #expect(throws: SupervisorError.startFailed(process: "missing", errno: ENOENT)) {
            try await supervisor.run()
        }
        #expect(!isAlive(try #require(await recorder.pid(of: "bus"))))
    }

    @Test("the local suite lists the six services in start order, with the database path for the writer")
    func suiteLayout() {
        let processes = SuiteLayout.localProcesses(
            binDirectory: "/opt/bw/bin/", dataDirectory: "/var/lib/bw", environment: ["BW_BUS": "tcp://127.0.0.1:5555"]
        )
        #expect(processes.map(\.name) == [
            "bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler",
        ])
        #expect(processes.map(\.executable) == processes.map { "/opt/bw/bin/\($0.name)" })
        for process in processes {
            #expect(process.arguments.isEmpty)
            #expect(process.environment["BW_BUS"] == "tcp://127.0.0.1:5555")
            let database = process.environment["BW_DB_PATH"]
            #expect(database == (process.name == "persistence-writer" ? "/var/lib/bw/breakwater.sqlite" : nil))
            #expect(process.environment["BW_BUS_KEY_FILE"] == nil)
        }
        // With the suite's keys: the bus and venue-sim get their keys and the peer list, each service on the bus its own.
        let keyed = SuiteLayout.localProcesses(binDirectory: "/opt/bw/bin", dataDirectory: "/var/lib/bw", keysDirectory: "/var/lib/bw/keys", environment: [:])
        for process in keyed {
            let isVenue = process.name == "venue-sim"
            #expect(process.environment["BW_BUS_KEY_FILE"] == (isVenue ? nil : "/var/lib/bw/keys/\(process.name).key"), "\(process.name)")
            #expect(process.environment["BW_BUS_PEERS_FILE"] == (process.name == "bus" ? "/var/lib/bw/keys/peers.json" : nil))
            #expect(process.environment["BW_VENUE_KEY_FILE"] == (isVenue ? "/var/lib/bw/keys/venue-sim.key" : nil), "\(process.name)")
            #expect(process.environment["BW_VENUE_PEERS_FILE"] == (isVenue ? "/var/lib/bw/keys/peers.json" : nil), "\(process.name)")
        }
    }

    @Test("restart delays double from the initial delay up to the cap")
    func restartDelays() {
        let delays = (1...7).map { RestartPolicy.default.delay(afterCrashes: $0) }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30].map(Duration.seconds))
    }

    @Test("the splitter cuts lines, drops carriage returns, caps long lines and keeps the tail for the end")
    func lineSplitter() {
        var splitter = LineSplitter(maxLineBytes: 4)
        var lines: [String] = []
        for chunk in ["ab\r\ncd", "e\n\nabcdefghij", "k"] {
            Array(chunk.utf8).withUnsafeBytes { splitter.append($0) { lines.append($0) } }
        }
        splitter.finish { lines.append($0) }
        #expect(lines == ["ab", "cde", "", "abcd", "efgh", "ijk"])
    }

    @Test("the orphan guard stops a watched child once the supervisor's end of the lifeline is gone")
    func orphanGuard() async throws {
        let orphanGuard = try OrphanGuard.start(graceSeconds: 1)
        let exits = Mailbox<ChildExitStatus>()
        let child = try ChildProcess.start(
            SupervisedProcess(name: "orphan", executable: "/bin/sleep", arguments: ["1000"]),
            orphanGuard: orphanGuard,
            emit: { _ in },
            onExit: { _, status in exits.send(status) }
        )
        defer { child.signalGroup(SIGKILL) }
        // Closing the write end is what the kernel does when the supervisor is SIGKILLed.
        orphanGuard.close()
        let deadline = DispatchWorkItem { exits.close() }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(10), execute: deadline)
        let status = await exits.next()
        deadline.cancel()
        #expect(status == .signaled(SIGTERM))
    }
}

// MARK: - Helpers

private func shell(_ name: String, _ script: String, _ environment: [String: String] = [:]) -> SupervisedProcess {
    SupervisedProcess(name: name, executable: "/bin/sh", arguments: ["-c", script], environment: environment)
}

/// A supervisor that writes to `recorder` and, unless asked, traps no signal: the tests share one process.
private func makeSupervisor(
    _ processes: [SupervisedProcess],
    _ recorder: LineRecorder,
    stopTimeout: Duration = .seconds(5),
    restartPolicy: RestartPolicy = .default,
    stopSignals: [Int32] = []
) -> Supervisor {
    Supervisor(
        processes: processes,
        output: recorder.sink,
        stopTimeout: stopTimeout,
        restartPolicy: restartPolicy,
        stopSignals: stopSignals
    )
}

/// Whether `pid` still names a process (zombies included).
private func isAlive(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}

/// Records every line the supervisor writes and lets a test await one, with a deadline.
private final class LineRecorder: Sendable {
    private struct Waiter {
        let matches: @Sendable (String) -> Bool
        let continuation: CheckedContinuation<String?, Never>
    }

    private struct State {
        var lines: [String] = []
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    var sink: LineSink {
        LineSink { [self] line in record(line) }
    }

    var lines: [String] {
        state.withLock { $0.lines }
    }

    /// The pid the supervisor reported for the last start of `name`.
    func pid(of name: String) async -> pid_t? {
        // The child may print before the supervisor's own announcement is recorded: await it.
        let isAnnouncement: @Sendable (String) -> Bool = { line in
            line.hasPrefix("supervisor") && (line.contains("| \(name) started (pid ") || line.contains("| \(name) restarted (pid "))
        }
        guard await line(where: isAnnouncement) != nil, let started = lines.last(where: isAnnouncement),
            let open = started.range(of: "(pid ")
        else { return nil }
        return pid_t(started[open.upperBound...].prefix { $0 != ")" })
    }

    /// The first line, past or future, that `matches`; nil if none comes within `timeout`.
    func line(
        within timeout: Duration = .seconds(10),
        where matches: @escaping @Sendable (String) -> Bool
    ) async -> String? {
        await withCheckedContinuation { continuation in
            let (found, id) = state.withLock { state -> (String?, Int) in
                if let line = state.lines.first(where: matches) { return (line, -1) }
                let id = state.nextWaiter
                state.nextWaiter += 1
                state.waiters[id] = Waiter(matches: matches, continuation: continuation)
                return (nil, id)
            }
            if let found {
                continuation.resume(returning: found)
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval) { [self] in
                state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: nil)
            }
        }
    }

    private func record(_ line: String) {
        let satisfied = state.withLock { state -> [Waiter] in
            state.lines.append(line)
            let satisfied = state.waiters.filter { $0.value.matches(line) }
            for id in satisfied.keys { state.waiters.removeValue(forKey: id) }
            return Array(satisfied.values)
        }
        for waiter in satisfied { waiter.continuation.resume(returning: line) }
    }
}
