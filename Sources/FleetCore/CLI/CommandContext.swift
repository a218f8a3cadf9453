/// Everything a command touches outside its own logic, passed in so the command layer stays
/// thin and every side effect can be replaced in tests: the environment, the working
/// directory, the output streams, and the ``Effects`` (clocks, process runner, file system,
/// randomness) that the long-running loops take from here.
public struct CommandContext: Sendable {
    public var environment: [String: String]
    public var currentDirectory: String
    public var stdout: any TextOutput
    public var stderr: any TextOutput
    public var effects: Effects

    public init(
        environment: [String: String], currentDirectory: String, stdout: any TextOutput, stderr: any TextOutput,
        effects: Effects
    ) {
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.stdout = stdout
        self.stderr = stderr
        self.effects = effects
    }

    /// The context of the running process: its environment, its working directory, fds 1 and 2
    /// (stderr, for humans only, through the one sanitizer), the machine's real effects.
    public static func live() -> CommandContext {
        CommandContext(
            environment: ProcessEnvironment.current(), currentDirectory: ProcessEnvironment.currentDirectory(),
            stdout: FileDescriptorOutput.standardOutput, stderr: SanitizedOutput(FileDescriptorOutput.standardError),
            effects: .live())
    }

    /// How files are read (the effects' file system).
    public var fileSystem: any FileSystem { effects.fileSystem }

    /// `$HOME`, or `/` when unset (systemd units may run without one).
    public var home: String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
    }

    /// The settings config and inventory loading need.
    public var configEnvironment: ConfigEnvironment {
        ConfigEnvironment(home: home, currentDirectory: currentDirectory)
    }
}
