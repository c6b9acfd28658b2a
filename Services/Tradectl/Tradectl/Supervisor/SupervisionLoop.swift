import Dispatch
import Glibc

/// The supervisor's state machine: which children run, their crashes, and the stop sequence.
///
/// Owned by one `Supervisor.run()` call and touched only by it, one event at a time, so it needs no lock.
/// Phases: running → draining (SIGTERM, in reverse start order) → killing (SIGKILL) → finished.
struct SupervisionLoop {
    private enum Phase: Equatable {
        case running, draining, killing, finished
    }

    private struct Slot {
        let process: SupervisedProcess
        let label: String
        var child: ChildProcess?
        var restartPending = false
        var crashes: [ContinuousClock.Instant] = []
    }

    /// What `run()` returns once finished.
    private(set) var exitStatus = Supervisor.cleanStopStatus
    /// Set when a process could not be started at all; `run()` throws it once everything is stopped.
    private(set) var startFailure: SupervisorError?

    private let stopTimeout: Duration
    private let killGrace: Duration
    private let restartPolicy: RestartPolicy
    private let log: @Sendable (String) -> Void
    private let output: LineSink
    private let orphanGuard: OrphanGuard?
    private let mailbox: Mailbox<SupervisorEvent>
    private let clock = ContinuousClock()
    private var phase = Phase.running
    private var slots: [Slot]
    private var drainOrder: [Int] = []
    private var drainNext = 0
    private var drainStepGrace = Duration.zero

    /// A loop over `processes`, not yet started; timers and child exits come back through `mailbox`.
    init(
        processes: [SupervisedProcess],
        labels: LineLabels,
        output: LineSink,
        stopTimeout: Duration,
        killGrace: Duration,
        restartPolicy: RestartPolicy,
        orphanGuard: OrphanGuard?,
        mailbox: Mailbox<SupervisorEvent>
    ) {
        slots = zip(processes, labels.children).map { Slot(process: $0, label: $1) }
        self.output = output
        self.log = { [output] message in output.write(labels.supervisor + message) }
        self.stopTimeout = stopTimeout
        self.killGrace = killGrace
        self.restartPolicy = restartPolicy
        self.orphanGuard = orphanGuard
        self.mailbox = mailbox
    }

    /// True once every child is gone (or given up on) after a stop.
    var isFinished: Bool { phase == .finished }

    /// Starts the processes one after the other, in list order, until one fails or a stop is pending.
    mutating func startAll(isStopRequested: () -> Bool) {
        for slot in slots.indices {
            if isStopRequested() { return }  // the stop event is queued: handling it stops what runs
            do throws(SpawnError) {
                try start(slot, verb: "started")
            } catch {
                log("\(slots[slot].process.name) could not be started: \(error)")
                startFailure = .startFailed(process: slots[slot].process.name, errno: error.code)
                beginStop(because: "\(slots[slot].process.name) could not be started")
                return
            }
        }
    }

    /// Applies one event.
    mutating func handle(_ event: SupervisorEvent) {
        switch event {
        case .stopRequested(let cause):
            requestStop(cause)
        case .exited(let slot, let pid, let status):
            guard let child = slots[slot].child, child.pid == pid else { return }
            slots[slot].child = nil
            if phase == .running {
                crashed(slot, status.description)
            } else {
                log("\(slots[slot].process.name) \(status)")
                continueDrain()
            }
        case .restartDue(let slot):
            guard phase == .running, slots[slot].restartPending else { return }
            slots[slot].restartPending = false
            do throws(SpawnError) {
                try start(slot, verb: "restarted")
            } catch {
                crashed(slot, "could not be restarted (\(error))")
            }
        case .drainStepElapsed(let step):
            if phase == .draining && drainNext == step { signalNextInDrain() }
        case .drainDeadline:
            guard phase == .draining else { return }
            killRemaining(because: "did not stop within \(stopTimeout.supervisionDescription)")
        case .killDeadline:
            guard phase == .killing else { return }
            for slot in slots where slot.child != nil {
                log("\(slot.process.name) (pid \(slot.child!.pid)) survived SIGKILL; leaving it behind")
            }
            phase = .finished
        }
        if phase != .running && slots.allSatisfy({ $0.child == nil }) { phase = .finished }
    }

    private mutating func start(_ slot: Int, verb: String) throws(SpawnError) {
        let mailbox = self.mailbox
        let output = self.output
        let label = slots[slot].label
        let child = try ChildProcess.start(
            slots[slot].process,
            orphanGuard: orphanGuard,
            emit: { line in output.write(label + line) },
            onExit: { pid, status in mailbox.send(.exited(slot: slot, pid: pid, status: status)) }
        )
        slots[slot].child = child
        log("\(slots[slot].process.name) \(verb) (pid \(child.pid))")
    }

    private mutating func crashed(_ slot: Int, _ what: String) {
        let now = clock.now
        slots[slot].crashes.append(now)
        let crashWindow = restartPolicy.crashWindow
        slots[slot].crashes.removeAll { $0.duration(to: now) > crashWindow }
        let name = slots[slot].process.name
        let crashCount = slots[slot].crashes.count
        guard crashCount <= restartPolicy.maxCrashes else {
            let window = crashWindow.supervisionDescription
            log("\(name) \(what); \(crashCount) crashes within \(window) is a crash loop: stopping everything")
            exitStatus = Supervisor.crashLoopStatus
            beginStop(because: "\(name) is crash-looping")
            return
        }
        let delay = restartPolicy.delay(afterCrashes: crashCount)
        log("\(name) \(what); restarting in \(delay.supervisionDescription)")
        slots[slot].restartPending = true
        schedule(.restartDue(slot: slot), after: delay)
    }

    private mutating func requestStop(_ cause: SupervisorEvent.StopCause) {
        switch (phase, cause) {
        case (.running, .call):
            beginStop(because: "stop requested")
        case (.running, .signal(let signal)):
            beginStop(because: "received \(ChildExitStatus.name(ofSignal: signal))")
        case (.draining, .signal(let signal)):
            // A second Ctrl-C means "now": don't make the person wait for the stop timeout.
            killRemaining(because: "is still running at a second \(ChildExitStatus.name(ofSignal: signal))")
        case (.draining, .call), (.killing, _), (.finished, _):
            break  // stop() is idempotent
        }
    }

    /// Enters the drain: no more restarts; SIGTERM to the last-started process first, and to each earlier one as
    /// soon as the later ones have exited or their share of the stop timeout is over (so that the bus outlives
    /// its clients); SIGKILL to everything left when the whole timeout is over.
    private mutating func beginStop(because reason: String) {
        phase = .draining
        for slot in slots.indices { slots[slot].restartPending = false }
        drainOrder = slots.indices.reversed().filter { slots[$0].child != nil }
        guard !drainOrder.isEmpty else {
            log("stopping (\(reason))")
            phase = .finished
            return
        }
        log("stopping (\(reason)): SIGTERM in reverse start order, SIGKILL after \(stopTimeout.supervisionDescription)")
        drainStepGrace = stopTimeout / drainOrder.count
        schedule(.drainDeadline, after: stopTimeout)
        signalNextInDrain()
    }

    private mutating func signalNextInDrain() {
        while drainNext < drainOrder.count {
            let slot = drainOrder[drainNext]
            drainNext += 1
            guard let child = slots[slot].child else { continue }
            child.signalGroup(SIGTERM)
            schedule(.drainStepElapsed(step: drainNext), after: drainStepGrace)
            return
        }
    }

    private mutating func continueDrain() {
        guard phase == .draining else { return }
        if drainOrder[..<drainNext].allSatisfy({ slots[$0].child == nil }) { signalNextInDrain() }
    }

    private mutating func killRemaining(because reason: String) {
        phase = .killing
        for slot in slots.indices.reversed() {
            guard let child = slots[slot].child else { continue }
            log("\(slots[slot].process.name) \(reason); sending SIGKILL")
            child.signalGroup(SIGKILL)
        }
        schedule(.killDeadline, after: killGrace)
    }

    private func schedule(_ event: SupervisorEvent, after delay: Duration) {
        let mailbox = self.mailbox
        DispatchQueue.global().asyncAfter(deadline: .now() + delay.dispatchInterval) { mailbox.send(event) }
    }
}
