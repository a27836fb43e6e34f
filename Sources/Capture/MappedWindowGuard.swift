import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Turns the SIGBUS of a mapped capture file truncated by another program into a cut-off read.
///
/// Reading a page of a mapping that lies past the end of its file raises SIGBUS, which ends the process:
/// a capture that `logrotate` or a second `tcpdump -w` cuts while it is read would crash Exposure. A
/// reader that maps a window registers it here. The handler, when the faulting address lies in a
/// registered window, maps a page of zeros over the faulting page (so the read that faulted completes)
/// and marks the window as cut; the reader asks `wasCut` after each record and ends the read as a file
/// cut short, with the findings before the cut. A fault anywhere else goes to the handler that was
/// there before (AddressSanitizer's, Swift's backtracer, or the default action), as if this one were
/// not installed. The handler touches only preallocated atomics and calls `mmap` and `sigaction`.
enum MappedWindowGuard {
    /// How many windows may be registered at once (each open mapped capture holds one); a reader that
    /// finds none free reads with `read()` instead.
    static let capacity = 64

    /// One registered window: its address range and whether a fault was turned into zeros in it.
    struct Slot: ~Copyable {
        let taken = Atomic<Bool>(false)
        let start = Atomic<Int>(0)
        let end = Atomic<Int>(0)
        let cut = Atomic<Bool>(false)
    }

    private struct Table: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Slot>
        let previous: UnsafeMutablePointer<sigaction>
    }

    /// The slots and the action that was installed before, made before the handler is installed.
    private static let table: Table = {
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        for index in 0..<capacity { (slots + index).initialize(to: Slot()) }
        let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 1)
        previous.initialize(to: sigaction())
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = handleBusError
        action.sa_flags = SA_SIGINFO | SA_NODEFER
        sigemptyset(&action.sa_mask)
        sigaction(SIGBUS, &action, previous)
        return Table(slots: slots, previous: previous)
    }()

    /// Takes a slot for a reader's windows, or nil when all are taken.
    static func acquire() -> Int? {
        let slots = table.slots
        for index in 0..<capacity
        where slots[index].taken.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
            .exchanged
        {
            slots[index].cut.store(false, ordering: .releasing)
            return index
        }
        return nil
    }

    /// Records where the slot's window now lies (an empty range when none is mapped).
    static func setWindow(_ slot: Int, start: UnsafeRawPointer?, length: Int) {
        let address = start.map { Int(bitPattern: $0) } ?? 0
        table.slots[slot].start.store(address, ordering: .releasing)
        table.slots[slot].end.store(start == nil ? 0 : address + length, ordering: .releasing)
    }

    /// Whether a read in the slot's windows faulted because the file was cut.
    static func wasCut(_ slot: Int) -> Bool { table.slots[slot].cut.load(ordering: .acquiring) }

    static func release(_ slot: Int) {
        setWindow(slot, start: nil, length: 0)
        table.slots[slot].taken.store(false, ordering: .releasing)
    }

    private static let handleBusError:
        @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?)
            -> Void = { _, info, _ in
                let table = MappedWindowGuard.table
                if let info, let faulting = info.pointee._sifields._sigfault.si_addr {
                    let address = Int(bitPattern: faulting)
                    for index in 0..<MappedWindowGuard.capacity {
                        let slot = table.slots + index
                        guard address >= slot.pointee.start.load(ordering: .acquiring),
                            address < slot.pointee.end.load(ordering: .acquiring)
                        else { continue }
                        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
                        let zeros = mmap(
                            UnsafeMutableRawPointer(bitPattern: address - address % page), page, PROT_READ,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                        if zeros != MAP_FAILED {
                            slot.pointee.cut.store(true, ordering: .releasing)
                            return
                        }
                    }
                }
                // Not a window of ours: put the earlier action back; returning re-runs the faulting access,
                // which then meets it.
                sigaction(SIGBUS, table.previous, nil)
            }
}
