/// Where a hook command hands a word to a shell as code: the script of `sh -c SCRIPT` (however
/// spelled) or the script file of `sh FILE`. A placeholder there would let a host write shell
/// code that runs on the operator's machine; after it, the same value is a harmless `$1`.
///
/// Spellings recognised, so that no rewording slips past (the guard once knew `-c` alone and
/// let `bash -lc` and `sh -c --` through):
/// - the shell by any path: `sh`, `/bin/bash`, `dash`, `zsh`, `ksh`, `mksh`, `ash`, `yash`,
///   `posh`, `fish`, `csh`, `tcsh`, `rbash`, and `busybox sh` / `busybox ash`;
/// - behind wrappers that run their arguments: `env` (its options, `-u NAME`, `-C DIR` and
///   `NAME=value` words; `env -S 'sh -c'` is split as env splits it), `nice`, `nohup`,
///   `setsid`, `stdbuf`, `timeout`, `sudo`, `doas`, `exec`, `command`;
/// - `-c` alone or in a cluster (`-lc`, `-ec`, `-xc`, `-cx`), options taking a value (`-o
///   errexit`, `--rcfile FILE`), `--` and `-` ending the options.
public enum HookShellScript {
    static let shells: Set<String> = [
        "sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "ash", "yash", "posh", "fish", "csh", "tcsh",
        "rbash", "hush",
    ]

    /// The index in `command` of the word a shell runs as code (its `-c` script or its script
    /// file), or nil when `command` runs no shell that way.
    public static func scriptPosition(_ command: [String]) -> Int? {
        var words = command.enumerated().map { (index: $0.offset, word: $0.element) }
        var at = 0
        // Wrappers: each runs the rest of its arguments as a command.
        while at < words.count {
            let name = baseName(words[at].word)
            switch name {
            case "env":
                at += 1
                while at < words.count {
                    let word = words[at].word
                    if word == "--" {
                        at += 1
                        break
                    }
                    if word == "-S" || word == "--split-string" || word.hasPrefix("-S")
                        || word.hasPrefix("--split-string=")
                    {
                        // env splits this value into words and runs them: splice them in, each
                        // keeping the index of the word it came from.
                        let (valueIndex, value): (Int, String)
                        if word == "-S" || word == "--split-string" {
                            guard at + 1 < words.count else { return nil }
                            (valueIndex, value) = (words[at + 1].index, words[at + 1].word)
                            words.remove(at: at + 1)
                        } else {
                            (valueIndex, value) = (
                                words[at].index, String(word.drop { $0 != "=" && $0 != "S" }.dropFirst())
                            )
                        }
                        let split = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map {
                            (index: valueIndex, word: String($0))
                        }
                        words.replaceSubrange(at...at, with: split)
                        break
                    }
                    if ["-u", "--unset", "-C", "--chdir"].contains(word) {
                        at += 2
                    } else if word.hasPrefix("-") || (word.contains("=") && !word.hasPrefix("=")) {
                        at += 1
                    } else {
                        break
                    }
                }
            case "nice", "timeout", "stdbuf", "sudo", "doas":
                at += 1
                let takesValue: Set<String> = ["-n", "-s", "-k", "-u", "-g", "-i", "-o", "-e", "-C", "-D", "-h", "-p"]
                while at < words.count, words[at].word.hasPrefix("-") {
                    at += takesValue.contains(words[at].word) ? 2 : 1
                }
                if name == "timeout", at < words.count { at += 1 }  // the duration
            case "nohup", "setsid", "exec", "command", "busybox", "builtin":
                at += 1
            default:
                guard shells.contains(name) else { return nil }
                return operand(after: at, in: words)
            }
        }
        return nil
    }

    /// The first operand after the shell's options: the `-c` script, or the script file.
    private static func operand(after shell: Int, in words: [(index: Int, word: String)]) -> Int? {
        var at = shell + 1
        while at < words.count {
            let word = words[at].word
            if word == "--" || word == "-" {
                at += 1
                break
            }
            guard word.count > 1, word.hasPrefix("-") || word.hasPrefix("+") else { break }
            if word.hasPrefix("--") {
                at += ["--rcfile", "--init-file"].contains(word) ? 2 : 1
                continue
            }
            let flags = word.dropFirst()
            at += flags.contains("o") || flags.contains("O") ? 2 : 1
        }
        return at < words.count ? words[at].index : nil
    }

    private static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }
}
