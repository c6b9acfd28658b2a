/// Polls `condition` until it holds or `timeout` passes: how tests wait for
/// something to happen without sleeping a fixed time.
public func eventually(
    timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return true }
        try await clock.sleep(for: interval)
    }
    return try await condition()
}
