import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Progress on standard error for work that takes more than two seconds: what is being read and for
/// how long, rewritten in place once a second. Only on a terminal unless `--progress` forces it;
/// `--quiet` silences it. The line is cleared before the report is written.
final class ProgressReporter: @unchecked Sendable {
    static let shared = ProgressReporter()

    private let lock = NSLock()
    private var enabled = false
    private var label = ""
    private var started = Date()
    private var shown = false
    private var timer: DispatchSourceTimer?
    private var terminal = false

    /// Starts the clock; progress appears after two seconds.
    func configure(forced: Bool, quiet: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard timer == nil else { return }
        terminal = isatty(STDERR_FILENO) == 1
        enabled = !quiet && (forced || terminal)
        guard enabled else { return }
        started = Date()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + 2, repeating: 1)
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        self.timer = timer
    }

    /// What is being worked on now, e.g. the input a scan is reading.
    func working(on what: String) {
        lock.lock()
        label = what
        lock.unlock()
    }

    private func tick() {
        lock.lock()
        defer { lock.unlock() }
        guard enabled else { return }
        let seconds = Int(Date().timeIntervalSince(started))
        let what = label.isEmpty ? "working" : "reading \(label)"
        let line = "exposure: \(what) (\(seconds) s)"
        FileHandleOutput.standardError(terminal ? "\r\u{1B}[K" + line : line + "\n")
        shown = true
    }

    /// Stops and clears the progress line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        timer?.cancel()
        enabled = false
        if shown && terminal { FileHandleOutput.standardError("\r\u{1B}[K") }
        shown = false
    }
}
