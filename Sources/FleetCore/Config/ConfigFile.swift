/// Reading a TOML configuration file (agent-runner.toml, an inventory) with the errors both
/// programs report the same way: a missing or unreadable file, or bad TOML at line:column.
public enum ConfigFile {
    /// The absolute path and bytes of `path` (relative to `environment.currentDirectory`).
    /// `missingHint` tells the operator how to create the file.
    public static func read(
        _ path: String, environment: ConfigEnvironment, fileSystem: any FileSystem, missingHint: String
    ) throws(ConfigError) -> (absolutePath: String, bytes: [UInt8]) {
        if ConfigPaths.hasControlCharacter(path) {
            throw ConfigError(
                file: TOMLFieldReader.quote(path), message: "the path holds a control character; rename the file")
        }
        let absolutePath = ConfigPaths.absolute(path, against: environment.currentDirectory)
        do {
            return (absolutePath, try fileSystem.readFile(absolutePath))
        } catch {
            throw ConfigError(
                file: path,
                message: error.isMissing
                    ? "no such file; \(missingHint)" : "cannot read it (\(error.reason)); check its permissions")
        }
    }

    /// The TOML document in `bytes`, or the parse error as a ConfigError naming `displayPath`.
    public static func parse(_ bytes: [UInt8], displayPath: String) throws(ConfigError) -> TOMLTable {
        do {
            return try TOML.parse(bytes)
        } catch {
            throw ConfigError(
                file: displayPath, line: error.position.line,
                message: "invalid TOML at column \(error.position.column): \(error.message)")
        }
    }
}
