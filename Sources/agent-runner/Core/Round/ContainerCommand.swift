/// Recognises an agent argv that starts a container (`docker run ...`, `podman run ...`, also
/// behind `sudo` or `env VAR=x`), for the two startup checks a container needs: stdin delivery
/// needs `-i` or the agent never gets its prompt, and log_dir must not be inside the work tree
/// the container mounts. Broad on purpose, like the original's detection: a false positive costs
/// a check, a miss costs a hung round.
enum ContainerCommand {
    static let runtimes: Set<String> = ["docker", "podman"]
    /// Global flags of docker/podman (before `run`) that take a separate value.
    static let globalFlagsWithValue: Set<String> = [
        "-H", "--host", "--context", "-c", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey",
    ]

    /// The index of `run` in `argv` when it runs a container, else nil.
    static func runIndex(_ argv: [String]) -> Int? {
        var index = 0
        if index < argv.count, basename(argv[index]) == "sudo" {
            index += 1
            while index < argv.count, argv[index].hasPrefix("-") {
                index += (argv[index] == "-u" || argv[index] == "--user") && index + 1 < argv.count ? 2 : 1
            }
        }
        if index < argv.count, basename(argv[index]) == "env" {
            index += 1
            while index < argv.count, argv[index].hasPrefix("-") || argv[index].contains("=") { index += 1 }
        }
        guard index < argv.count, runtimes.contains(basename(argv[index])) else { return nil }
        index += 1
        while index < argv.count {
            let token = argv[index]
            if token == "run" { return index }
            guard token.hasPrefix("-") else { return nil }
            index += globalFlagsWithValue.contains(token) && index + 1 < argv.count ? 2 : 1
        }
        return nil
    }

    /// Whether `prefix` holds a flag that attaches the container's stdin: `-i`, a short cluster
    /// with `i` (`-it`), `--interactive[=...]`; not `--init`.
    static func isInteractive(_ prefix: [String]) -> Bool {
        prefix.contains { token in
            if token == "--interactive" || token.hasPrefix("--interactive=") { return true }
            guard token.hasPrefix("-"), !token.hasPrefix("--"), token.count > 1 else { return false }
            let letters = token.dropFirst()
            return letters.contains("i") && letters.allSatisfy { $0 >= "a" && $0 <= "z" }
        }
    }

    private static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
