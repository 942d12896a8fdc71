package org.bptt4j.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.IdentityHashMap;
import java.util.Map;

import org.bptt4j.LayerShape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SIMD workspace's reported size is what it allocates: the formula in
 * {@code SimdWorkspace.lengths} against the arrays themselves (each shared array counted once),
 * for every cell, with and without padded rows.
 */
class SimdWorkspaceTest {

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4}")
    @CsvSource({"rnn_tanh,7,3,5,4", "rnn_relu,4,2,600,512", "lstm,3,2,5,7", "lstm,2,3,5,256", "gru,5,1,33,17", "gru,2,2,3,512"})
    void sizeInBytesIsWhatTheBuffersHold(String cell, int steps, int batch, int in, int hid) {
        LayerShape shape = LayerShape.named(cell, steps, batch, in, hid);
        int parts = 3; // a pool's part descriptors, each with its pack buffer
        SimdWorkspace ws = new SimdWorkspace(shape, false, parts);
        Map<float[], Boolean> distinct = new IdentityHashMap<>();
        for (float[] a : new float[][]{ws.states, ws.cellStates, ws.gates, ws.newGateSums, ws.stepGradients,
                ws.newGateGradients, ws.carry, ws.cellCarry, ws.transposed, ws.staging, ws.recurrentPanels, ws.recurrentPanelsTransposed, ws.product.pack}) {
            if (a != null) {
                distinct.put(a, true);
            }
        }
        for (Product p : ws.partProducts) {
            distinct.put(p.pack, true);
        }
        // A pack buffer of its own for each descriptor: regions of dz's array after the carry, each
        // from a cache line's start (16 floats past the origin), apart by its length and padding.
        int packLength = SimdWorkspace.packLength(shape);
        long end = ws.carryOrigin + (long) batch * hid + org.bptt4j.Workspace.PADDING;
        Product[] descriptors = new Product[parts + 1];
        descriptors[0] = ws.product;
        System.arraycopy(ws.partProducts, 0, descriptors, 1, parts);
        for (Product p : descriptors) {
            assertSame(ws.stepGradients, p.pack);
            assertEquals(packLength, p.packLength);
            assertEquals(0, (p.packOrigin - ws.origin) % 16);
            assertTrue(p.packOrigin >= end && p.packOrigin < end + 16, "right after the last one's padding");
            end = p.packOrigin + (long) packLength + org.bptt4j.Workspace.PADDING;
        }
        assertEquals(end, ws.stepGradients.length);
        long floats = distinct.keySet().stream().mapToLong(a -> a.length).sum();
        assertEquals(4 * floats, ws.sizeInBytes());
        assertEquals(4 * floats, SimdWorkspace.sizeInBytes(shape, false, false, parts));
        // States in another's array (a bidirectional stack's, which counts it): all but the states,
        // and the previous states a stack's layer gathers for dW_h.
        float[] shared = new float[(steps + 1) * batch * 2 * hid + org.bptt4j.Workspace.PADDING];
        SimdWorkspace sharing = new SimdWorkspace(shape, true, parts, shared, hid, 2 * hid);
        assertSame(shared, sharing.states);
        assertEquals(hid, sharing.stateIndex(0));
        assertEquals(hid + 3 * 2 * hid, sharing.stateIndex(3));
        long sharingFloats = floats - ws.states.length + sharing.previousStates.length;
        if (shape.cell() == org.bptt4j.Cell.VANILLA) {
            assertSame(shared, sharing.gates);
            assertEquals(2 * hid, sharing.ldg, "the vanilla cell's gates are its states, rows 2H apart");
        }
        assertEquals(4 * sharingFloats, sharing.sizeInBytes());
        assertEquals(4 * sharingFloats, SimdWorkspace.sizeInBytes(shape, true, true, parts));
        // The rows each buffer must hold at its stride.
        assertEquals(1, (ws.ldz / 16) % 2, "dz rows an odd number of cache lines apart");
        // Each buffer from its origin; the carry after dz's rows and their padding, from a multiple
        // of 16 floats past the origin (so that it starts a cache line where dz's rows do), and the
        // LSTM's cellCarry likewise after the gates' rows.
        int o = SimdWorkspace.ORIGIN, pad = org.bptt4j.Workspace.PADDING, bh = batch * hid;
        long dzRows = (long) steps * batch * ws.ldz;
        assertEquals(o, ws.origin);
        assertEquals(0, (ws.carryOrigin - ws.origin) % 16);
        assertTrue(ws.carryOrigin >= o + dzRows + pad && ws.carryOrigin < o + dzRows + pad + 16, "the carry right after dz's padding");
        assertSame(ws.stepGradients, ws.carry);
        if (shape.cell() == org.bptt4j.Cell.VANILLA) {
            assertSame(ws.states, ws.gates);
        } else if (shape.cell() == org.bptt4j.Cell.LSTM) {
            assertSame(ws.gates, ws.cellCarry);
            assertEquals(ws.carryOrigin + bh + pad, ws.gates.length, "the gates' rows, then the cellCarry's");
        } else {
            assertEquals(o + (long) steps * batch * ws.ldg + pad, ws.gates.length);
        }
        if (shape.cell() != org.bptt4j.Cell.LSTM) {
            assertNull(ws.cellCarry);
        }
        if (shape.cell() == org.bptt4j.Cell.GRU) { // dn*r, H wide: W_h's r and z parts are dz's own
            assertEquals(1, (ws.ldn / 16) % 2, "dn*r rows an odd number of cache lines apart");
            assertEquals(o + (long) steps * batch * ws.ldn + pad, ws.newGateGradients.length);
        } else {
            assertNull(ws.newGateGradients);
        }
        assertEquals(o + (long) shape.gateWidth() * ws.ldx + pad, ws.transposed.length);
        // Room for the weight gradients' running sums panel by panel (else they fall back to rows).
        assertEquals(MatMul.stagingLength(Math.max(in, hid), shape.gateWidth()) + pad, ws.staging.length);
        int panels = (shape.hiddenSize() + MatMul.W - 1) / MatMul.W;
        assertEquals(o + (long) panels * shape.gateWidth() * MatMul.W + pad, ws.recurrentPanelsTransposed.length);
        if (shape.cell() != org.bptt4j.Cell.LSTM) {
            assertNull(ws.cellStates);
        }
    }
}
