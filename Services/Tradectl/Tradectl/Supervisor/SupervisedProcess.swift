/// One program the supervisor keeps running: what to execute, with which arguments and extra environment.
public struct SupervisedProcess: Sendable, Equatable {
    /// Label of its output lines and of the supervisor's messages about it; unique within one supervisor.
    public var name: String
    /// Absolute path of the program. It is executed directly: no shell, no PATH search.
    public var executable: String
    /// Arguments after argv[0] (argv[0] is `executable`).
    public var arguments: [String]
    /// Variables added to the supervisor's own environment; they win over an inherited variable of the same name.
    public var environment: [String: String]

    /// Describes a program to supervise.
    public init(name: String, executable: String, arguments: [String] = [], environment: [String: String] = [:]) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }
}
