import Foundation

/// The real `tradectl` binary, run to its end as an operator would run it.
public enum TradectlProcess {
    /// Runs `tradectl` with `arguments`: exit status, stdout, stderr.
    /// `environment` is added to this process's; `directory` is its working directory.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/tradectl")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = ChildLaunch.pipe(), err = ChildLaunch.pipe()
        process.standardOutput = out
        process.standardError = err
        try ChildLaunch.run(process)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
