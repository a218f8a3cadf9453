/// chromium's argument vector and environment, as data (tests assert them without a browser).
enum ChromiumCommandLine {
    /// - `--headless`: the "new" headless mode, the full browser without a display, so pages
    ///   render as they do for operators. It is the only mode left in the browser binary since
    ///   chromium 132 (the old headless shell ships separately as chrome-headless-shell);
    ///   Debian 12's chromium is 156.
    /// - `--no-sandbox`: the tests run as root, where chromium refuses to start sandboxed.
    /// - `--disable-gpu`: no GPU in CI; software rendering, same pixels every run.
    /// - `--disable-dev-shm-usage`: containers' /dev/shm is often 64 MiB, too small for
    ///   chromium's shared memory; renderers then crash mid-test.
    /// - `--no-first-run`, `--no-default-browser-check`: no first-run tabs or prompts.
    /// - `--user-data-dir`: a fresh profile per browser, removed on close.
    /// - `--window-size`, `--hide-scrollbars`: stable screenshot dimensions.
    /// - `--no-startup-window`: no initial New Tab page (a renderer we would never use);
    ///   every page is a target we create.
    /// - `--remote-debugging-pipe`: DevTools on descriptors 3 (commands in) and 4 (messages
    ///   out), NUL-separated JSON; no port to pick, nothing else on the machine can connect.
    static func arguments(userDataDirectory: String, windowWidth: Int, windowHeight: Int) -> [String] {
        [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--user-data-dir=\(userDataDirectory)",
            "--window-size=\(windowWidth),\(windowHeight)",
            "--hide-scrollbars",
            "--no-startup-window",
            "--remote-debugging-pipe",
        ]
    }

    /// The test process's environment with `HOME` and the XDG directories moved into the
    /// browser's temporary directory: chromium otherwise creates `~/.config/chromium/Crash Reports`
    /// and `~/.pki` in the real home of whoever runs the tests.
    static func environment(base: [String: String], temporaryDirectory: String) -> [String: String] {
        var environment = base
        environment["HOME"] = temporaryDirectory + "/home"
        environment["XDG_CONFIG_HOME"] = temporaryDirectory + "/config"
        environment["XDG_CACHE_HOME"] = temporaryDirectory + "/cache"
        return environment
    }
}
