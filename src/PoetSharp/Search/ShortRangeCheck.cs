using PoetSharp.Atoms;
using PoetSharp.Models;
using PoetSharp.Potentials;
using PoetSharp.Properties;

namespace PoetSharp.Search;

/// <summary>The outcome of <see cref="ShortRangeCheck"/>: passed, or which probe failed and at what distance.</summary>
public sealed record ShortRangeResult(bool Passed, string Detail)
{
    public static ShortRangeResult Pass { get; } = new(true, "repulsive down to the minimum distance");
}

/// <summary>
/// Whether a model is repulsive at short range, as molecular dynamics needs: the energy of (1) a dimer compressed from
/// 0.75 of the nearest-neighbour distance and (2) a crystal (the host element's own lattice, fcc or bcc, at its
/// nearest-neighbour distance in the data) in which one atom is pushed straight towards a nearest neighbour must rise at
/// every step as the distance falls to <see cref="MinDistance"/> (0.5 Å by default), and stay finite. Cheap enough for
/// every candidate: the crystal's neighbour sums are computed once per model and only the terms of the moving atom
/// change along the path.
/// </summary>
/// <remarks>
/// The crystal is the host's own ground state because the probe asks about compression, not about a lattice the element
/// does not form: fcc is unstable for the bcc transition metals (Grimvall et al., Rev. Mod. Phys. 84, 945 (2012)), so an
/// atom of Nb or W pushed off an fcc site may rightly lower the energy at the first step, which says nothing about
/// short-range repulsion. Data of several elements get one crystal per element, from that element's own structures.
/// </remarks>
public sealed class ShortRangeCheck
{
    private readonly Taper _taper;
    private readonly Probe _default;
    private readonly Dictionary<byte, Probe> _hosts = new();

    /// <summary>The crystal around a moving atom: its sites, the fixed atoms that see it, and the push direction.</summary>
    private sealed class Probe
    {
        public required CrystalStructure Lattice { get; init; }
        public required double NearestNeighbour { get; init; }
        public required Vec3[] Fixed { get; init; }          // sites within cutoff + nn of the moving atom (excluding it)
        public required int[][] FixedNeighbours { get; init; } // for each fixed site: indices (into Cluster) of its neighbours within the cutoff
        public required Vec3[] Cluster { get; init; }        // all sites within 2·cutoff + nn, the moving atom's site first
        public required Vec3 Direction { get; init; }        // towards a nearest neighbour

        public static Probe Build(CrystalStructure lattice, double nearestNeighbour, double cutoff)
        {
            // hcp shares fcc's first shell (12 at nn); the close-packed push is the same, so fcc stands in for it.
            var bcc = lattice == CrystalStructure.Bcc;
            var a = bcc ? 2 * nearestNeighbour / Math.Sqrt(3) : nearestNeighbour * Math.Sqrt(2);
            Vec3[] basis = bcc ? [new(0, 0, 0), new(0.5, 0.5, 0.5)] : [new(0, 0, 0), new(0.5, 0.5, 0), new(0.5, 0, 0.5), new(0, 0.5, 0.5)];
            var reach = 2 * cutoff + nearestNeighbour;
            var n = (int)Math.Ceiling(reach / a) + 1;
            var sites = new List<Vec3>();
            for (var x = -n; x <= n; x++)
                for (var y = -n; y <= n; y++)
                    for (var z = -n; z <= n; z++)
                        foreach (var b in basis)
                        {
                            var p = new Vec3((x + b.X) * a, (y + b.Y) * a, (z + b.Z) * a);
                            if (p.Length <= reach) sites.Add(p);
                        }
            sites.Sort((p, q) => p.Length.CompareTo(q.Length));
            var cluster = sites.ToArray();
            var direction = bcc ? new Vec3(1, 1, 1) * (1 / Math.Sqrt(3)) : new Vec3(1, 1, 0) * (1 / Math.Sqrt(2));
            var fixedSites = cluster.Skip(1).Where(p => p.Length <= cutoff + nearestNeighbour).ToArray();
            return new Probe
            {
                Lattice = bcc ? CrystalStructure.Bcc : CrystalStructure.Fcc,
                NearestNeighbour = nearestNeighbour,
                Cluster = cluster,
                Direction = direction,
                Fixed = fixedSites,
                FixedNeighbours = fixedSites.Select(p => Enumerable.Range(1, cluster.Length - 1)
                    .Where(j => (cluster[j] - p).Length is var d && d > 1e-9 && d < cutoff).ToArray()).ToArray(),
            };
        }
    }

    /// <summary>The nearest-neighbour distance of the default crystal (the one used for hosts without their own).</summary>
    public double NearestNeighbour => _default.NearestNeighbour;
    /// <summary>The default crystal's lattice.</summary>
    public CrystalStructure Lattice => _default.Lattice;
    public double MinDistance { get; }
    /// <summary>Where the dimer scan starts, as a fraction of the host's nearest-neighbour distance.</summary>
    public double DimerStart => 0.75;
    public double Step { get; }

    public ShortRangeCheck(Taper taper, double nearestNeighbour, double minDistance = 0.5, double step = 0.05, CrystalStructure lattice = CrystalStructure.Fcc)
    {
        if (!(nearestNeighbour > minDistance)) throw new ArgumentException($"the nearest-neighbour distance {nearestNeighbour} Å must exceed {minDistance} Å");
        _taper = taper;
        MinDistance = minDistance;
        Step = step;
        _default = Probe.Build(lattice, nearestNeighbour, taper.Outer);
    }

    /// <summary>
    /// The check for a data set: for data of one element, its ground-state lattice (fcc unless the lowest-energy structure
    /// is bcc) at the data's typical nearest-neighbour distance; for several elements, each element's own crystal and
    /// distance from the structures that hold that element alone (elements with no such structure get the default: fcc at
    /// the typical distance of the whole set).
    /// </summary>
    public static ShortRangeCheck For(IReadOnlyList<Structure> structures, Taper taper, double minDistance = 0.5, double step = 0.05)
    {
        var nearest = NearestNeighbourOf(structures, taper.Outer);
        var elements = structures.SelectMany(s => s.Species).Distinct().ToArray();
        if (elements.Length <= 1)
            return new ShortRangeCheck(taper, nearest, minDistance, step, LatticeOf(structures));
        var check = new ShortRangeCheck(taper, nearest, minDistance, step);
        foreach (var element in elements)
        {
            var own = structures.Where(s => s.Count > 0 && s.Species.All(x => x == element)).ToArray();
            var z = Elements.AtomicNumber(element);
            if (own.Length == 0 || z is <= 0 or > 255) continue;
            // The distance of the element's own lowest-energy crystal: hot or strained snapshots put the median of
            // atoms' nearest neighbours several per cent below the equilibrium distance.
            var lowest = own.Where(s => s.Cell.FullyPeriodic && s.Energy is double e && double.IsFinite(e)).MinBy(s => s.EnergyPerAtom!.Value);
            double distance;
            try { distance = NearestNeighbourOf(lowest is null ? own : [lowest], taper.Outer); }
            catch (ArgumentException) { continue; }
            if (!(distance > minDistance)) continue;
            check._hosts[(byte)z] = Probe.Build(LatticeOf(own), distance, taper.Outer);
        }
        return check;
    }

    /// <summary>The host crystal the check uses for element <paramref name="element"/>: lattice and nearest-neighbour distance.</summary>
    public (CrystalStructure Lattice, double NearestNeighbour) HostOf(string element)
    {
        var probe = ProbeFor((byte)Elements.AtomicNumber(element));
        return (probe.Lattice, probe.NearestNeighbour);
    }

    private Probe ProbeFor(byte host) => _hosts.TryGetValue(host, out var p) ? p : _default;

    // bcc when the lowest-energy periodic structure is bcc; fcc otherwise (fcc, hcp, none recognised, no energies).
    private static CrystalStructure LatticeOf(IReadOnlyList<Structure> structures)
    {
        try { return Properties.GroundState.Identify(structures) == CrystalStructure.Bcc ? CrystalStructure.Bcc : CrystalStructure.Fcc; }
        catch (ArgumentException) { return CrystalStructure.Fcc; }
    }

    /// <summary>
    /// Checks a model of one element, or, when it names elements (<paramref name="elements"/>: those of the data), every
    /// pair of them: the A–B dimer, and an A atom pushed towards a neighbour in an fcc crystal of B atoms (A = B included).
    /// </summary>
    public ShortRangeResult Check(Expression model, IReadOnlyList<string>? elements = null)
    {
        if (!model.IsSpeciesResolved || elements is null || elements.Count == 0) return Check(model, 0, 0);
        var numbers = elements.Select(e => (byte)Elements.AtomicNumber(e)).ToArray();
        foreach (var a in numbers)
            foreach (var b in numbers)
            {
                var result = Check(model, a, b);
                if (!result.Passed) return result with { Detail = $"{Elements.Symbol(a)} in {Elements.Symbol(b)}: {result.Detail}" };
            }
        return ShortRangeResult.Pass;
    }

    /// <summary>The checks with a moving atom of element <paramref name="moving"/> and the others of <paramref name="host"/> (0: no elements).</summary>
    private ShortRangeResult Check(Expression model, byte moving, byte host)
    {
        if (model.HasAngular) return CheckWithAngles(model, moving, host);
        var probe = ProbeFor(host);
        var sums = SumNodes(model);
        var values = new double[sums.Length];
        // Whether sum k counts a neighbour of element z.
        bool Counts(int k, byte z) => model.Nodes[sums[k]].Element == 0 || model.Nodes[sums[k]].Element == z;

        // Dimer: each atom sees one neighbour at r.
        var previous = double.NaN;
        for (var r = DimerStart * probe.NearestNeighbour; r >= MinDistance - 1e-12; r -= Step)
        {
            var f = _taper.Evaluate(r).Value;
            for (var k = 0; k < sums.Length; k++) values[k] = Counts(k, host) ? model.EvaluatePair(sums[k] - 1, r) * f : 0;
            var e = AtomLevel(model, model.Length - 1, sums, values, moving);
            for (var k = 0; k < sums.Length; k++) values[k] = Counts(k, moving) ? model.EvaluatePair(sums[k] - 1, r) * f : 0;
            e += AtomLevel(model, model.Length - 1, sums, values, host);
            if (Rises(e, ref previous, crystal: null, r) is { } failed) return failed;
        }

        // Crystal: fixed atoms' sums without the moving atom, then the path.
        var cutoff = _taper.Outer;
        var fixedSums = new double[probe.Fixed.Length, sums.Length];
        for (var i = 0; i < probe.Fixed.Length; i++)
            foreach (var j in probe.FixedNeighbours[i])
            {
                var d = (probe.Cluster[j] - probe.Fixed[i]).Length;
                var f = _taper.Evaluate(d).Value;
                for (var k = 0; k < sums.Length; k++)
                    if (Counts(k, host)) fixedSums[i, k] += model.EvaluatePair(sums[k] - 1, d) * f;
            }
        previous = double.NaN;
        for (var t = 0.0; t <= probe.NearestNeighbour - MinDistance + 1e-12; t += Step)
        {
            var x = probe.Direction * t;
            var energy = 0.0;
            Array.Clear(values);
            for (var j = 1; j < probe.Cluster.Length; j++)
            {
                var d = (probe.Cluster[j] - x).Length;
                if (d >= cutoff) continue;
                var f = _taper.Evaluate(d).Value;
                for (var k = 0; k < sums.Length; k++)
                    if (Counts(k, host)) values[k] += model.EvaluatePair(sums[k] - 1, d) * f;
            }
            energy += AtomLevel(model, model.Length - 1, sums, values, moving);
            for (var i = 0; i < probe.Fixed.Length; i++)
            {
                var d = (probe.Fixed[i] - x).Length;
                var f = d < cutoff ? _taper.Evaluate(d).Value : 0;
                for (var k = 0; k < sums.Length; k++)
                    values[k] = fixedSums[i, k] + (f != 0 && Counts(k, moving) ? model.EvaluatePair(sums[k] - 1, d) * f : 0);
                energy += AtomLevel(model, model.Length - 1, sums, values, host);
            }
            if (Rises(energy, ref previous, crystal: probe.Lattice, probe.NearestNeighbour - t) is { } failed) return failed;
        }
        return ShortRangeResult.Pass;
    }

    /// <summary>
    /// One step of a probe: the failure when the energy is not finite or did not rise since the last step (at
    /// <paramref name="distance"/> Å, of the dimer or of the pushed atom), otherwise null, with the energy remembered.
    /// </summary>
    private static ShortRangeResult? Rises(double energy, ref double previous, CrystalStructure? crystal, double distance)
    {
        var dimer = crystal is null;
        var lattice = crystal?.ToString().ToLowerInvariant();
        if (!double.IsFinite(energy))
            return new ShortRangeResult(false, dimer ? $"dimer: energy not finite at {distance:F2} Å" : $"{lattice}: energy not finite with a neighbour at {distance:F2} Å");
        if (!double.IsNaN(previous) && !(energy > previous))
            return new ShortRangeResult(false, dimer ? $"dimer: energy falls as r falls to {distance:F2} Å" : $"{lattice}: energy falls as an atom is pushed to {distance:F2} Å from a neighbour");
        previous = energy;
        return null;
    }

    /// <summary>
    /// The same probes for a model with angular densities, whose neighbour sums are not additive over neighbours: every
    /// atom near the moving one gets its sums (and moments) again from its whole neighbourhood at each step.
    /// </summary>
    private ShortRangeResult CheckWithAngles(Expression model, byte moving, byte host)
    {
        var probe = ProbeFor(host);
        var sums = SumNodes(model);
        var values = new double[sums.Length];
        var neighbours = new List<(Vec3 Vector, byte Element)>();
        var previous = double.NaN;
        for (var r = DimerStart * probe.NearestNeighbour; r >= MinDistance - 1e-12; r -= Step)
        {
            neighbours.Clear();
            neighbours.Add((new Vec3(r, 0, 0), host));
            var e = AtomEnergy(model, sums, values, neighbours, moving);
            neighbours[0] = (new Vec3(-r, 0, 0), moving);
            e += AtomEnergy(model, sums, values, neighbours, host);
            if (Rises(e, ref previous, crystal: null, r) is { } failed) return failed;
        }
        var cutoff = _taper.Outer;
        previous = double.NaN;
        for (var t = 0.0; t <= probe.NearestNeighbour - MinDistance + 1e-12; t += Step)
        {
            var x = probe.Direction * t;
            neighbours.Clear();
            for (var j = 1; j < probe.Cluster.Length; j++)
                if ((probe.Cluster[j] - x).Length < cutoff) neighbours.Add((probe.Cluster[j] - x, host));
            var energy = AtomEnergy(model, sums, values, neighbours, moving);
            for (var i = 0; i < probe.Fixed.Length; i++)
            {
                neighbours.Clear();
                foreach (var j in probe.FixedNeighbours[i]) neighbours.Add((probe.Cluster[j] - probe.Fixed[i], host));
                if ((x - probe.Fixed[i]).Length < cutoff) neighbours.Add((x - probe.Fixed[i], moving));
                energy += AtomEnergy(model, sums, values, neighbours, host);
            }
            if (Rises(energy, ref previous, crystal: probe.Lattice, probe.NearestNeighbour - t) is { } failed) return failed;
        }
        return ShortRangeResult.Pass;
    }

    /// <summary>The energy of an atom of element z from its neighbours' vectors and elements: plain sums and moment densities.</summary>
    private double AtomEnergy(Expression model, int[] sums, double[] values, List<(Vec3 Vector, byte Element)> neighbours, byte z)
    {
        Array.Clear(values);
        Span<double> moment = stackalloc double[10];
        for (var k = 0; k < sums.Length; k++)
        {
            var node = model.Nodes[sums[k]];
            var l = Nodes.AngularOrder(node.Kind);
            moment.Clear();
            foreach (var (d, element) in neighbours)
            {
                if (node.Element != 0 && element != node.Element) continue;
                var r = d.Length;
                var phi = model.EvaluatePair(sums[k] - 1, r) * _taper.Evaluate(r).Value;
                if (l < 0) values[k] += phi;
                else Evaluation.AngularMoments.Add(l, phi, d.X / r, d.Y / r, d.Z / r, moment);
            }
            if (l >= 0) values[k] = Evaluation.AngularMoments.Density(l, moment);
        }
        return AtomLevel(model, model.Length - 1, sums, values, z);
    }

    private static int[] SumNodes(Expression e)
    {
        var list = new List<int>();
        for (var i = 0; i < e.Length; i++) if (Nodes.IsNeighbourSum(e.Nodes[i].Kind)) list.Add(i);
        return list.ToArray();
    }

    // The atom-level part with each sum replaced by its value, for an atom of element z (0: none named).
    private static double AtomLevel(Expression e, int i, int[] sums, double[] values, byte z)
    {
        var node = e.Nodes[i];
        switch (node.Kind)
        {
            case NodeKind.Constant: return e.ConstantOf(i);
            case NodeKind.Sum or NodeKind.Angular0 or NodeKind.Angular1 or NodeKind.Angular2 or NodeKind.Angular3: return values[Array.IndexOf(sums, i)];
            case NodeKind.Central: return node.Element == z ? AtomLevel(e, i - 1, sums, values, z) : 0.0;
            case NodeKind.Distance: throw new InvalidOperationException("r outside a sum");
        }
        var op = Operators.Of(node.Kind);
        if (op.Arity == 1) return op.Value(AtomLevel(e, i - 1, sums, values, z), double.NaN);
        return op.Value(AtomLevel(e, e.LeftChild(i), sums, values, z), AtomLevel(e, i - 1, sums, values, z));
    }

    /// <summary>
    /// The typical nearest-neighbour distance of a data set: the median over atoms of each atom's nearest neighbour
    /// within <paramref name="cutoff"/> (robust against the few close contacts of hot snapshots).
    /// </summary>
    public static double NearestNeighbourOf(IReadOnlyList<Structure> structures, double cutoff)
    {
        var nearest = new List<double>();
        foreach (var s in structures.Take(50))
        {
            var list = NeighbourList.Create(s, cutoff, half: false);
            for (var i = 0; i < s.Count; i++)
            {
                var best = double.PositiveInfinity;
                for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
                    best = Math.Min(best, list.Displacement(s.Positions, i, k).Length);
                if (double.IsFinite(best)) nearest.Add(best);
            }
        }
        if (nearest.Count == 0) throw new ArgumentException($"no atom has a neighbour within {cutoff} Å");
        nearest.Sort();
        return nearest[nearest.Count / 2];
    }
}
