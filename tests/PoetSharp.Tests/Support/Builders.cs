using PoetSharp.Atoms;

namespace PoetSharp.Tests.Support;

/// <summary>Small structures for tests.</summary>
public static class Builders
{
    /// <summary>Conventional fcc supercell (4 atoms per cube) of n×n×n cubes with lattice constant a.</summary>
    public static Structure Fcc(string element, double a, int n) => Lattices.Fcc(element, a, n, n, n);

    /// <summary>Randomly displaces every atom by up to ±amplitude Å per component (deterministic for a seed).</summary>
    public static Structure Rattled(Structure s, double amplitude, int seed)
    {
        var rng = new Random(seed);
        var c = s.Clone();
        for (var i = 0; i < c.Count; i++)
            c.Positions[i] += amplitude * new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1);
        return c;
    }

    /// <summary>A random triclinic cell (volume kept reasonable) with n atoms at random positions.</summary>
    public static Structure RandomTriclinic(int n, double length, int seed, bool pa = true, bool pb = true, bool pc = true, string element = "Cu")
    {
        var rng = new Random(seed);
        double R() => 2 * rng.NextDouble() - 1;
        var a = new Vec3(length * (1 + 0.2 * R()), 0.3 * length * R(), 0.3 * length * R());
        var b = new Vec3(0.3 * length * R(), length * (1 + 0.2 * R()), 0.3 * length * R());
        var c = new Vec3(0.3 * length * R(), 0.3 * length * R(), length * (1 + 0.2 * R()));
        var cell = new Cell(a, b, c, pa, pb, pc);
        var pos = new Vec3[n];
        for (var i = 0; i < n; i++) pos[i] = cell.ToCartesian(new Vec3(rng.NextDouble(), rng.NextDouble(), rng.NextDouble()));
        return new Structure(cell, pos, Enumerable.Repeat(element, n).ToArray(), "random");
    }
}
