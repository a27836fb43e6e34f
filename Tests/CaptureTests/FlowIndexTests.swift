import Testing

@testable import Capture

/// The flow index against Swift's Dictionary as the reference: the same answers after any mix of
/// inserts, removals and lookups, including long probe runs that deletion must shift back correctly.
@Suite("The flow index: open addressing with hash tags and backward-shift deletion")
struct FlowIndexTests {
    /// A key from a small space, so runs of neighbouring entries and reused keys are common.
    private static func key(_ number: Int) -> FlowKey {
        FlowKey(
            lowAddress: IPAddress(ipv4: 0x0A00_0000 | UInt32(number % 97)),
            highAddress: IPAddress(ipv4: 0xC000_0200 | UInt32(number / 97 % 13)),
            lowPort: UInt16(40_000 + number % 7), highPort: 443, transport: 6)
    }

    @Test("two hundred thousand random inserts, removals and lookups agree with a Dictionary")
    func agreesWithDictionary() {
        var index = FlowIndex(capacity: 4)
        var reference: [FlowKey: Int32] = [:]
        // Slot n holds key number keyOfSlot[n]; slots are handed out in order and never reused here.
        var keyOfSlot: [FlowKey] = []
        var state: UInt64 = 0x1234_5678_9ABC_DEF1
        func random(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
        for step in 0..<200_000 {
            let key = Self.key(random(97 * 13 * 7))
            let found = keyOfSlot.withUnsafeBufferPointer { stored in
                index.find(key, hash: key.mixedHash) { stored[Int($0)] }
            }
            guard found == reference[key] else {
                Issue.record(
                    "step \(step): the index says \(String(describing: found)), the reference \(String(describing: reference[key]))"
                )
                break
            }
            if found == nil && random(3) != 0 {
                let slot = Int32(keyOfSlot.count)
                keyOfSlot.append(key)
                index.insert(hash: key.mixedHash, slot: slot)
                reference[key] = slot
            } else if found != nil && random(2) == 0 {
                keyOfSlot.withUnsafeBufferPointer { stored in
                    index.remove(key, hash: key.mixedHash) { stored[Int($0)] }
                }
                reference[key] = nil
            }
            #expect(index.count == reference.count)
        }
        // The table grew many times and saw many removals.
        #expect(keyOfSlot.count > 5_000)
        #expect(reference.count > 1_000)
        // Every key still present is found at its slot; every removed one is gone.
        for number in 0..<(97 * 13 * 7) {
            let key = Self.key(number)
            let found = keyOfSlot.withUnsafeBufferPointer { stored in
                index.find(key, hash: key.mixedHash) { stored[Int($0)] }
            }
            #expect(found == reference[key])
        }
    }

    @Test("more live flows than one chunk of the flow store: every one is counted and retired once")
    func flowsAcrossStoreChunks() {
        var retired: [Flow] = []
        let table = FlowTable { retired.append($0) }
        let flows = 70_000
        let payload: [UInt8] = [1, 2, 3, 4]
        payload.withPacketBytes { bytes in
            for round in 0..<2 {
                for number in 0..<flows {
                    let packet = DecodedPacket(
                        source: IPAddress(ipv4: 0x0A00_0000 | UInt32(number)),
                        destination: IPAddress(ipv4: 0xC000_0201),
                        transport: TransportHeader(
                            transport: .udp, sourcePort: 50_000, destinationPort: 53, sequence: 0, flags: [],
                            payloadOffset: 8),
                        payload: bytes, payloadLength: bytes.count)
                    table.process(packet, at: Timestamp(microseconds: Int64(round * flows + number)))
                }
            }
        }
        #expect(table.activeFlows == flows)
        table.finish()
        #expect(retired.count == flows)
        #expect(retired.allSatisfy { $0.packets == 2 && $0.bytes == 8 })
        #expect(Set(retired.map(\.client.address)).count == flows)
        #expect(retired.allSatisfy { $0.server.port == 53 })
    }
}
