/// Everything a command touches outside its own logic, passed in so the command layer stays
/// thin and every side effect can be replaced in tests.
public struct CommandContext: Sendable {
    public var environment: [String: String]
    public var currentDirectory: String
    public var stdout: any TextOutput
    public var stderr: any TextOutput
    public var fileSystem: any FileSystem

    public init(environment: [String: String], currentDirectory: String, stdout: any TextOutput, stderr: any TextOutput, fileSystem: any FileSystem) {
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.stdout = stdout
        self.stderr = stderr
        self.fileSystem = fileSystem
    }

    /// The context of the running process: its environment, its working directory, fds 1 and 2.
    public static func live() -> CommandContext {
        CommandContext(
            environment: ProcessEnvironment.current(), currentDirectory: ProcessEnvironment.currentDirectory(),
            stdout: FileDescriptorOutput.standardOutput, stderr: FileDescriptorOutput.standardError,
            fileSystem: LocalFileSystem())
    }

    /// `$HOME`, or `/` when unset (systemd units may run without one).
    public var home: String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
    }

    /// The settings config and inventory loading need.
    public var configEnvironment: ConfigEnvironment {
        ConfigEnvironment(home: home, currentDirectory: currentDirectory)
    }
}
