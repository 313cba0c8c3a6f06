using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Tests.Support;
using Xunit.Abstractions;

namespace PoetSharp.Tests.Potentials;

/// <summary>Structures for the EAM tests, by name (so that theories can list them).</summary>
public static class EamStructures
{
    public const double CuLattice = 3.615;

    /// <summary>
    /// fcc lattice in a genuinely triclinic supercell (primitive vectors times an integer matrix of determinant 11),
    /// turned to an arbitrary orientation, strained by up to ±strain and rattled; species drawn from the list.
    /// </summary>
    public static Structure TriclinicFcc(double a, int seed, string[] species, double strain = 0.03, double rattle = 0.1)
    {
        var rng = new Random(seed);
        double R() => 2 * rng.NextDouble() - 1;
        Vec3[] prim = [0.5 * a * new Vec3(0, 1, 1), 0.5 * a * new Vec3(1, 0, 1), 0.5 * a * new Vec3(1, 1, 0)];
        int[,] m = { { 2, 1, 0 }, { -1, 2, 1 }, { 1, 0, 2 } };
        var rows = new Vec3[3];
        for (var i = 0; i < 3; i++) rows[i] = m[i, 0] * prim[0] + m[i, 1] * prim[1] + m[i, 2] * prim[2];
        var super = new Cell(rows[0], rows[1], rows[2]);
        var pos = new List<Vec3>();
        for (var i = -4; i <= 4; i++)
            for (var j = -4; j <= 4; j++)
                for (var k = -4; k <= 4; k++)
                {
                    var s = super.ToFractional(i * prim[0] + j * prim[1] + k * prim[2]);
                    if (s.X >= -1e-9 && s.X < 1 - 1e-9 && s.Y >= -1e-9 && s.Y < 1 - 1e-9 && s.Z >= -1e-9 && s.Z < 1 - 1e-9)
                        pos.Add(i * prim[0] + j * prim[1] + k * prim[2]);
                }
        // A random rotation (from a random unit quaternion) and a random symmetric strain.
        double q0 = R(), q1 = R(), q2 = R(), q3 = R();
        var qn = Math.Sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3);
        q0 /= qn; q1 /= qn; q2 /= qn; q3 /= qn;
        double[] rot =
        [
            1 - 2 * (q2 * q2 + q3 * q3), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2),
            2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1 * q1 + q3 * q3), 2 * (q2 * q3 - q0 * q1),
            2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), 1 - 2 * (q1 * q1 + q2 * q2),
        ];
        double exx = strain * R(), eyy = strain * R(), ezz = strain * R(), eyz = strain * R(), exz = strain * R(), exy = strain * R();
        double[] eps = [1 + exx, exy, exz, exy, 1 + eyy, eyz, exz, eyz, 1 + ezz];
        var f = new double[9];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 3; k++)
                    f[3 * i + j] += eps[3 * i + k] * rot[3 * k + j];
        Vec3 T(Vec3 v) => new(v.X * f[0] + v.Y * f[3] + v.Z * f[6], v.X * f[1] + v.Y * f[4] + v.Z * f[7], v.X * f[2] + v.Y * f[5] + v.Z * f[8]);
        var cell = new Cell(T(rows[0]), T(rows[1]), T(rows[2]));
        var positions = pos.Select(p => T(p) + rattle * new Vec3(R(), R(), R())).ToArray();
        var names = positions.Select(_ => species[rng.Next(species.Length)]).ToArray();
        return new Structure(cell, positions, names, $"triclinic fcc {string.Join("", species.Distinct())} seed {seed}");
    }

    /// <summary>Conventional fcc supercell with species drawn at random from the list, rattled.</summary>
    public static Structure Alloy(double a, int n, string[] species, int seed, double rattle = 0.1)
    {
        var s = Builders.Rattled(Builders.Fcc("Cu", a, n), rattle, seed);
        var rng = new Random(seed + 1000);
        var names = s.Species.Select(_ => species[rng.Next(species.Length)]).ToArray();
        return new Structure(s.Cell, s.Positions, names, $"fcc alloy {string.Join("", species)} {n}x{n}x{n}");
    }

    /// <summary>Named test structures of the given element(s).</summary>
    public static Structure Get(string name, string[] species, double a = CuLattice) => name switch
    {
        // 108 atoms, rattled.
        "rattled fcc" => Alloy(a, 3, species, seed: 1),
        // 11 atoms in a tilted, rotated, strained cell.
        "triclinic" => TriclinicFcc(a, seed: 2, species),
        // One primitive fcc cell (2.6 Å vectors): every neighbour is an image, the atom meets itself.
        "primitive cell" => Primitive(a, species[0]),
        // 4 atoms, cell edge ≈ 3.6 Å, well below twice the cutoff, tilted.
        "small triclinic" => Builders.Rattled(SmallTriclinic(a, species), 0.15, seed: 3),
        // fcc compressed to 62 % of its lattice constant: densities beyond the tables' ρ_max.
        "compressed" => Alloy(0.62 * a, 2, species, seed: 4, rattle: 0.05),
        // Random positions in a random triclinic cell: close contacts, short distances.
        "random triclinic" => RandomTriclinic(species, seed: 5),
        _ => throw new ArgumentException($"no test structure '{name}'"),
    };

    public static readonly string[] Names = ["rattled fcc", "triclinic", "primitive cell", "small triclinic", "compressed", "random triclinic"];

    private static Structure Primitive(double a, string element)
    {
        var cell = new Cell(0.5 * a * new Vec3(0, 1, 1), 0.5 * a * new Vec3(1, 0.02, 1), 0.5 * a * new Vec3(1, 1, -0.03));
        return new Structure(cell, [new Vec3(0.1, 0.2, 0.3)], [element], "primitive fcc");
    }

    private static Structure SmallTriclinic(double a, string[] species)
    {
        var s = Builders.Fcc("Cu", a, 1);
        var cell = new Cell(s.Cell.A, s.Cell.B + new Vec3(0.4 * a, 0, 0), s.Cell.C + new Vec3(-0.3 * a, 0.2 * a, 0));
        var names = Enumerable.Range(0, s.Count).Select(i => species[i % species.Length]).ToArray();
        return new Structure(cell, s.Positions, names, "small triclinic");
    }

    // Random positions kept at least 1.4 Å apart (nearest neighbours in Cu are 2.55 Å): close contacts without
    // the absurd energies of overlapping atoms.
    private static Structure RandomTriclinic(string[] species, int seed)
    {
        var cellSource = Builders.RandomTriclinic(1, 6.0, seed);
        var cell = cellSource.Cell;
        var rng = new Random(seed);
        var positions = new List<Vec3>();
        while (positions.Count < 14)
        {
            var p = cell.ToCartesian(new Vec3(rng.NextDouble(), rng.NextDouble(), rng.NextDouble()));
            var probe = new Structure(cell, [.. positions, p], [.. Enumerable.Repeat("Cu", positions.Count + 1)]);
            var list = NeighbourList.Create(probe, 1.4, half: true);
            if (list.PairCount == 0) positions.Add(p);
        }
        return new Structure(cell, positions.ToArray(), positions.Select(_ => species[rng.Next(species.Length)]).ToArray(), "random triclinic");
    }
}

public class EamTests(ITestOutputHelper output)
{
    private static string Pot(string name) => Lammps.Potential(name);

    /// <summary>Potential files and the elements the test structures use with them.</summary>
    public static readonly (string File, string[] Species)[] Potentials =
    [
        ("Cu_u3.eam", ["Cu"]),
        ("Cu_mishin1.eam.alloy", ["Cu"]),
        ("CuNi.eam.alloy", ["Cu", "Ni"]),
        ("CuZr_mm.eam.fs", ["Cu", "Zr"]),
    ];

    private static readonly Dictionary<string, Eam> Cache = new();
    private static Eam Load(string file)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(file, out var eam)) Cache[file] = eam = Eam.FromFile(Pot(file));
            return eam;
        }
    }

    private static string[] SpeciesFor(string file) => Potentials.First(p => p.File == file).Species;

    // ---------------------------------------------------------------- reading

    [LammpsFact(needsExecutable: false)]
    public void ReadsFuncfl()
    {
        var eam = Load("Cu_u3.eam");
        Assert.Equal(EamFormat.Funcfl, eam.Format);
        Assert.Equal("EAM Cu_u3.eam", eam.Name);
        Assert.Equal(["Cu"], eam.Species!);
        Assert.Equal(4.95, eam.Cutoff, 12);
        Assert.Equal(63.55, eam.Masses[0], 12);
        // LAMMPS's common grid: Nr = round((500−1)·0.01 / 0.01) = 499 (the last tabulated point drops out).
        Assert.Equal(499, eam.Grid.Nr);
        Assert.Equal(499, eam.Grid.Nrho);
        Assert.Equal(499 * 5.0100200400801306e-04, eam.RhoMax, 15);
    }

    [LammpsFact(needsExecutable: false)]
    public void ReadsSetflAndFs()
    {
        var mishin = Load("Cu_mishin1.eam.alloy");
        Assert.Equal(EamFormat.Setfl, mishin.Format);
        Assert.Equal(["Cu"], mishin.Species!);
        Assert.Equal(5.50679, mishin.Cutoff, 12);
        Assert.Equal((10001, 0.00089991000899910004, 10001, 0.00016401626143851118), mishin.Grid);

        var cuni = Load("CuNi.eam.alloy");
        Assert.Equal(["Ni", "Cu"], cuni.Species!);
        Assert.Equal([58.689, 63.546], cuni.Masses);

        var cuzr = Load("CuZr_mm.eam.fs");
        Assert.Equal(EamFormat.FinnisSinclair, cuzr.Format);
        Assert.Equal(["Cu", "Zr"], cuzr.Species!);
        Assert.Equal(7.6, cuzr.Cutoff, 12);
        // Finnis–Sinclair: the density Zr puts on Cu differs from the one it puts on Zr.
        Assert.NotEqual(cuzr.Density("Zr", "Cu", 3.0).Value, cuzr.Density("Zr", "Zr", 3.0).Value);
    }

    [LammpsFact(needsExecutable: false)]
    public void TablesReproduceTheFileAtNodes()
    {
        // Setfl tables are used as given: at a node the cubic returns the tabulated value.
        var eam = Load("Cu_mishin1.eam.alloy");
        var (nr, dr, _, _) = eam.Grid;
        var lines = File.ReadLines(Pot("Cu_mishin1.eam.alloy")).Skip(6 + 10001).Take(nr).Select(double.Parse).ToArray();
        for (var m = 10; m < 6000; m += 997)
            Assert.Equal(lines[m], eam.Density("Cu", "Cu", m * dr).Value, 12);

        // Funcfl: r·φ = 27.2·0.529·Z(r)², with Z brought onto LAMMPS's grid (here the same spacing, so nodes stay nodes).
        var u3 = Load("Cu_u3.eam");
        var z = File.ReadLines(Pot("Cu_u3.eam")).Skip(103).Take(100)
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(double.Parse).ToArray();
        for (var m = 150; m < 490; m += 37)
        {
            var r = m * u3.Grid.Dr;
            var expected = 27.2 * 0.529 * z[m] * z[m];
            Assert.Equal(expected, u3.PairEnergy("Cu", "Cu", r).Value * r, 1e-12 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [LammpsFact(needsExecutable: false)]
    public void FromFileChoosesTheFormatByName()
    {
        var dir = TestData.TempDir();
        var setfl = Path.Combine(dir, "copy.setfl");
        File.Copy(Pot("CuNi.eam.alloy"), setfl);
        Assert.Equal(EamFormat.Setfl, Eam.FromFile(setfl).Format);
        var unknown = Path.Combine(dir, "CuNi.potential");
        File.Copy(Pot("CuNi.eam.alloy"), unknown);
        Assert.Throws<DataFormatException>(() => Eam.FromFile(unknown));
    }

    // ---------------------------------------------------------------- bad files

    private static string Mutated(string source, Func<string[], IEnumerable<string>> change, string name)
    {
        var path = Path.Combine(TestData.TempDir(), name);
        File.WriteAllLines(path, change(File.ReadAllLines(Pot(source))));
        return path;
    }

    private static string[] Replace(string[] lines, int index, string line)
    {
        var copy = (string[])lines.Clone();
        copy[index] = line;
        return copy;
    }

    [LammpsFact(needsExecutable: false)]
    public void MissingFileIsAFormatError()
    {
        var path = Path.Combine(TestData.TempDir(), "none.eam.alloy");
        var e = Assert.Throws<DataFormatException>(() => Eam.FromFile(path));
        Assert.Equal(path, e.FilePath);
    }

    [LammpsFact(needsExecutable: false)]
    public void TruncatedFileNamesTheEnd()
    {
        var path = Mutated("Cu_u3.eam", l => l.Take(150), "Cu_u3.eam");
        var e = Assert.Throws<DataFormatException>(() => Eam.FromFile(path));
        Assert.Equal(150, e.Line);
        Assert.Contains("ends", e.Reason);
    }

    [LammpsTheory(needsExecutable: false)]
    [InlineData("abc")]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("1.0D+00")]
    public void NonNumericValueNamesTheLine(string bad)
    {
        // Line 40 of Cu_mishin1 holds one F(ρ) value.
        var path = Mutated("Cu_mishin1.eam.alloy", l => Replace(l, 39, bad), "Cu.eam.alloy");
        var e = Assert.Throws<DataFormatException>(() => Eam.FromFile(path));
        Assert.Equal(40, e.Line);
    }

    [LammpsFact(needsExecutable: false)]
    public void HeaderCountsMustMatchTheTables()
    {
        // One value short in the header: the F(ρ) block would end in the middle of a line.
        var fewer = Mutated("Cu_u3.eam", l => Replace(l, 2, "  499  5.0100200400801306e-04  500  1.0000000000000009e-02  4.9499999999999886e+00"), "a.eam");
        var e = Assert.Throws<DataFormatException>(() => Eam.FromFile(fewer));
        Assert.Equal(103, e.Line);
        // More values announced than there are: the last table runs off the end.
        var more = Mutated("Cu_u3.eam", l => Replace(l, 2, "  500  5.0100200400801306e-04  505  1.0000000000000009e-02  4.9499999999999886e+00"), "b.eam");
        Assert.Throws<DataFormatException>(() => Eam.FromFile(more));
        // Fewer distances in a setfl file with one value per line: data left over at the end.
        var setfl = Mutated("Cu_mishin1.eam.alloy", l => Replace(l, 4, "10001 0.00016401626143851118 10000 0.00089991000899910004 5.50679"), "c.eam.alloy");
        Assert.Throws<DataFormatException>(() => Eam.FromFile(setfl));
        // Nonsense grid.
        var grid = Mutated("Cu_mishin1.eam.alloy", l => Replace(l, 4, "10001 0.00016401626143851118 10001 -0.0009 5.50679"), "d.eam.alloy");
        Assert.Equal(5, Assert.Throws<DataFormatException>(() => Eam.FromFile(grid)).Line);
    }

    [LammpsTheory(needsExecutable: false)]
    [InlineData("2 Ni")]
    [InlineData("2 Ni Cu Zr")]
    [InlineData("2 Ni Qq")]
    [InlineData("2 Ni Ni")]
    [InlineData("0")]
    [InlineData("two Ni Cu")]
    public void BadElementLine(string line)
    {
        var path = Mutated("CuNi.eam.alloy", l => Replace(l, 3, line), "x.eam.alloy");
        var e = Assert.Throws<DataFormatException>(() => Eam.FromFile(path));
        Assert.Equal(4, e.Line);
    }

    [LammpsFact(needsExecutable: false)]
    public void SpeciesOutsideThePotentialAreRejected()
    {
        var s = Builders.Fcc("Ni", 3.52, 1);
        Assert.Throws<ArgumentException>(() => Load("CuZr_mm.eam.fs").Compute(s));
    }

    // ---------------------------------------------------------------- consistency

    public static IEnumerable<object[]> FiniteDifferenceCases() =>
        from p in Potentials from s in new[] { "rattled fcc", "triclinic", "small triclinic" } select new object[] { p.File, s };

    [LammpsTheory(needsExecutable: false)]
    [MemberData(nameof(FiniteDifferenceCases))]
    public void ForcesAndStressMatchFiniteDifferences(string file, string structure)
    {
        var eam = Load(file);
        var s = EamStructures.Get(structure, SpeciesFor(file));
        FiniteDifference.AssertForces(eam, s, h: 1e-6, atol: 2e-6, rtol: 1e-6, maxAtoms: 12);
        FiniteDifference.AssertStress(eam, s, h: 1e-7, atol: 2e-7, rtol: 1e-6);
        FiniteDifference.AssertAtomEnergiesSum(eam, s);
    }

    [LammpsFact(needsExecutable: false)]
    public void LargerListCutoffChangesNothing()
    {
        var eam = Load("CuNi.eam.alloy");
        foreach (var s in new[] { EamStructures.Get("triclinic", ["Cu", "Ni"]), EamStructures.Get("rattled fcc", ["Cu", "Ni"]) })
        {
            var exact = eam.Compute(s);
            var skin = new PotentialResult();
            // On a fresh thread the pair scratch starts small and grows in the middle of the structure.
            var thread = new Thread(() => eam.Compute(s, NeighbourList.Create(s, eam.Cutoff + 2.0, half: true), skin));
            thread.Start();
            thread.Join();
            Assert.Equal(exact.Energy, skin.Energy, 12);
            for (var i = 0; i < s.Count; i++)
            {
                Assert.True((exact.Forces[i] - skin.Forces[i]).Length < 1e-12);
                Assert.Equal(exact.AtomEnergies[i], skin.AtomEnergies[i], 12);
            }
            Assert.True((exact.Stress - skin.Stress).ToVoigt().Max(Math.Abs) < 1e-14);
        }
    }

    [LammpsFact(needsExecutable: false)]
    public void ConcurrentComputesAgreeAndWarmComputeDoesNotAllocate()
    {
        var eam = Load("CuZr_mm.eam.fs");
        var structures = Enumerable.Range(0, 8).Select(k => EamStructures.Alloy(3.8, 2 + k % 2, ["Cu", "Zr"], seed: k)).ToArray();
        var serial = structures.Select(s => eam.Compute(s).Energy).ToArray();
        var parallel = new double[structures.Length];
        Parallel.For(0, 64, k => { var e = eam.Compute(structures[k % 8]).Energy; if (k < 8) parallel[k] = e; });
        Assert.Equal(serial, parallel);

        var big = structures[1];
        var list = NeighbourList.Create(big, eam.Cutoff, half: true);
        var result = new PotentialResult();
        eam.Compute(big, list, result);
        var before = GC.GetAllocatedBytesForCurrentThread();
        eam.Compute(big, list, result);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [LammpsFact(needsExecutable: false)]
    public void EnergyIsContinuedLinearlyPastRhoMax()
    {
        var eam = Load("Cu_mishin1.eam.alloy");
        var rhoMax = eam.RhoMax;
        var (f0, fp0) = eam.Embedding("Cu", rhoMax);
        var (f1, fp1) = eam.Embedding("Cu", rhoMax + 0.3);
        Assert.Equal(fp0, fp1, 15);
        Assert.Equal(f0 + 0.3 * fp0, f1, 12);
        // The compressed test structure really goes past ρ_max.
        var s = EamStructures.Get("compressed", ["Cu"]);
        var r = eam.Compute(s);
        Assert.True(r.AtomEnergies.ToArray().Max() > f0, "compressed structure should reach beyond the embedding table");
    }

    /// <summary>Largest host density ρ_i in the structure, summed from the potential's density functions.</summary>
    public static double MaxDensity(Eam eam, Structure s)
    {
        var list = NeighbourList.Create(s, eam.Cutoff, half: false);
        var max = 0.0;
        for (var i = 0; i < s.Count; i++)
        {
            var rho = 0.0;
            for (var k = list.Offsets[i]; k < list.Offsets[i + 1]; k++)
                rho += eam.Density(s.Species[list.Neighbours[k]], s.Species[i], list.Displacement(s.Positions, i, k).Length).Value;
            max = Math.Max(max, rho);
        }
        return max;
    }

    [LammpsFact(needsExecutable: false)]
    public void CompressedStructureGoesPastRhoMax()
    {
        foreach (var (file, species) in Potentials)
        {
            var eam = Load(file);
            var rho = MaxDensity(eam, EamStructures.Get("compressed", species));
            Assert.True(rho > eam.RhoMax, $"{file}: largest density {rho} does not exceed ρ_max = {eam.RhoMax}");
        }
    }

    // ---------------------------------------------------------------- against LAMMPS

    /// <summary>Tolerances for agreement with LAMMPS.</summary>
    public const double EnergyTolerance = 1e-6;      // eV/atom
    public const double ForceTolerance = 1e-6;       // eV/Å
    public const double StressTolerance = 1e-6 / Units.GPaPerEvPerA3; // 1e-6 GPa in eV/Å³

    /// <summary>
    /// Computes the structure with the EAM file here and in LAMMPS and asserts agreement; returns the largest differences
    /// (energy per atom, per-atom energy, force component, stress component in eV/Å³). Reusable for any structure.
    /// </summary>
    public static (double Energy, double AtomEnergy, double Force, double Stress) AssertMatchesLammps(string potentialFile, Structure s)
    {
        var eam = Eam.FromFile(potentialFile);
        var ours = eam.Compute(s);
        var lammps = Lammps.Compute(s, LammpsPair.Eam(potentialFile));
        var dE = Math.Abs(ours.Energy - lammps.Energy) / s.Count;
        double dAtom = 0, dF = 0;
        for (var i = 0; i < s.Count; i++)
        {
            dAtom = Math.Max(dAtom, Math.Abs(ours.AtomEnergies[i] - lammps.AtomEnergies[i]));
            var d = ours.Forces[i] - lammps.Forces[i];
            dF = Math.Max(dF, Math.Max(Math.Abs(d.X), Math.Max(Math.Abs(d.Y), Math.Abs(d.Z))));
        }
        var dS = s.Cell.FullyPeriodic
            ? (ours.Stress - lammps.Stress).ToVoigt().Max(Math.Abs)
            : (ours.Virial - lammps.Virial).ToVoigt().Max(Math.Abs) / s.Count;
        var where = $"{Path.GetFileName(potentialFile)} on {s}";
        Assert.True(dE <= EnergyTolerance, $"{where}: energy differs from LAMMPS by {dE:G3} eV/atom ({ours.Energy:R} vs {lammps.Energy:R})");
        Assert.True(dAtom <= EnergyTolerance, $"{where}: per-atom energy differs from LAMMPS by {dAtom:G3} eV");
        Assert.True(dF <= ForceTolerance, $"{where}: force differs from LAMMPS by {dF:G3} eV/Å");
        Assert.True(dS <= StressTolerance, $"{where}: stress differs from LAMMPS by {dS * Units.GPaPerEvPerA3:G3} GPa");
        return (dE, dAtom, dF, dS);
    }

    /// <summary>The largest differences from LAMMPS over a set of structures (e.g. a whole data set), asserting each.</summary>
    public static (double Energy, double AtomEnergy, double Force, double Stress) AssertMatchesLammps(string potentialFile, IEnumerable<Structure> structures)
    {
        (double, double, double, double) max = (0, 0, 0, 0);
        foreach (var s in structures)
        {
            var d = AssertMatchesLammps(potentialFile, s);
            max = (Math.Max(max.Item1, d.Energy), Math.Max(max.Item2, d.AtomEnergy), Math.Max(max.Item3, d.Force), Math.Max(max.Item4, d.Stress));
        }
        return max;
    }

    public static IEnumerable<object[]> LammpsCases() =>
        from p in Potentials from s in EamStructures.Names select new object[] { p.File, s };

    [LammpsTheory]
    [MemberData(nameof(LammpsCases))]
    public void AgreesWithLammps(string file, string structure)
    {
        var s = EamStructures.Get(structure, SpeciesFor(file));
        var (dE, dAtom, dF, dS) = AssertMatchesLammps(Pot(file), s);
        var r = Load(file).Compute(s);
        output.WriteLine($"{file} / {structure}: max ρ / ρ_max = {MaxDensity(Load(file), s) / Load(file).RhoMax:F3}, " +
                         $"E = {r.Energy / s.Count:G4} eV/atom, max |F| = {r.Forces.ToArray().Max(f => f.Length):G3} eV/Å, " +
                         $"max |σ| = {r.Stress.ToVoigt().Max(Math.Abs) * Units.GPaPerEvPerA3:G3} GPa; |ΔE| = {dE:G3} eV/atom, |ΔE_i| = {dAtom:G3} eV, |ΔF| = {dF:G3} eV/Å, |Δσ| = {dS * Units.GPaPerEvPerA3:G3} GPa");
    }

    [LammpsFact]
    public void TwoFuncflFilesAgreeWithLammps()
    {
        string cu = Pot("Cu_u3.eam"), ni = Pot("Ni_u3.eam");
        var eam = Eam.ReadFuncfl([cu, ni]);
        Assert.Equal(["Cu", "Ni"], eam.Species!);
        var s = EamStructures.Alloy(3.56, 2, ["Cu", "Ni"], seed: 7);
        var ours = eam.Compute(s);
        var lammps = Lammps.Compute(s, LammpsPair.Eam(cu, ni));
        Assert.True(Math.Abs(ours.Energy - lammps.Energy) / s.Count < EnergyTolerance);
        for (var i = 0; i < s.Count; i++) Assert.True((ours.Forces[i] - lammps.Forces[i]).Length < ForceTolerance);
        Assert.True((ours.Stress - lammps.Stress).ToVoigt().Max(Math.Abs) < StressTolerance);
    }

    [LammpsFact]
    public void NonPeriodicClusterAgreesWithLammps()
    {
        var bulk = EamStructures.Alloy(3.6, 2, ["Cu", "Ni"], seed: 8);
        var cluster = new Structure(Cell.NonPeriodic(), bulk.Positions, bulk.Species, "cluster");
        AssertMatchesLammps(Pot("CuNi.eam.alloy"), cluster);
        var slabCell = new Cell(bulk.Cell.A, bulk.Cell.B, bulk.Cell.C, true, true, false);
        AssertMatchesLammps(Pot("CuNi.eam.alloy"), new Structure(slabCell, bulk.Positions, bulk.Species, "slab"));
    }
}

/// <summary>The LAMMPS harness itself: frames, units, odd cells.</summary>
public class LammpsHarnessTests
{
    [LammpsFact]
    public void DimerMatchesLennardJonesInAnyOrientation()
    {
        const double eps = 0.0103, sigma = 2.3, r = 2.7;
        var dir = new Vec3(0.3, -0.5, 0.81);
        dir /= dir.Length;
        var s = new Structure(Cell.NonPeriodic(), [new Vec3(1, 2, 3), new Vec3(1, 2, 3) + r * dir], ["Ar", "Ar"], "dimer");
        var result = Lammps.Compute(s, new LammpsPair("lj/cut 8.0", ["* * 0.0103 2.3"]));
        var sr6 = Math.Pow(sigma / r, 6);
        Assert.Equal(4 * eps * (sr6 * sr6 - sr6), result.Energy, 14);
        Assert.Equal(result.Energy / 2, result.AtomEnergies[0], 14);
        // F on atom 1 = −dE/dr · r̂ (pointing away from atom 0 when repulsive).
        var dEdr = 4 * eps * (-12 * sr6 * sr6 + 6 * sr6) / r;
        var expected = -dEdr * dir;
        Assert.True((result.Forces[1] - expected).Length < 1e-14, $"force {result.Forces[1]} vs {expected}");
        Assert.True((result.Forces[0] + expected).Length < 1e-14);
        // Virial W = r⊗f summed over the pair: r·(−dE/dr) r̂⊗r̂.
        Assert.Equal(-dEdr * r * dir.X * dir.Y, result.Virial.Xy, 14);
        Assert.Equal(-dEdr * r * dir.Z * dir.Z, result.Virial.Zz, 14);
        Assert.Equal(Stress.Zero, result.Stress);
    }

    [LammpsFact]
    public void LargeTiltsAndLeftHandedCellsAreReduced()
    {
        var s = EamStructures.Get("triclinic", ["Cu", "Ni"]);
        var (a, b, c) = (s.Cell.A, s.Cell.B, s.Cell.C);
        // The same lattice, spanned by long, tilted vectors in a left-handed order.
        var same = new Cell(a, b + 2 * a, -1.0 * (c + b - 3 * a));
        var skewed = new Structure(same, s.Positions, s.Species, "skewed left-handed");
        var file = Lammps.Potential("CuNi.eam.alloy");
        EamTests.AssertMatchesLammps(file, skewed);
        var eam = Eam.FromFile(file);
        Assert.Equal(eam.Compute(s).Energy, Lammps.Compute(skewed, LammpsPair.Eam(file)).Energy, 10);
    }

    [LammpsFact]
    public void FailureCarriesTheLammpsMessage()
    {
        var s = Builders.Fcc("Cu", 3.615, 1);
        var e = Assert.Throws<InvalidOperationException>(() => Lammps.Compute(s, new LammpsPair("eam", ["1 1 /nonexistent/file.eam"])));
        Assert.Contains("ERROR", e.Message);
    }
}

/// <summary>The issue's check on real data: EAM energies, forces and stresses on DFT_Cu structures equal LAMMPS's.</summary>
public class EamOnDftCopperTests(ITestOutputHelper output)
{
    /// <summary>Every 10th snapshot of each training folder (15, across all temperatures and cells) and the 13 relaxed surfaces.</summary>
    private static IEnumerable<Structure> DftCopper()
    {
        foreach (var folder in new[] { "NVT_FCC_300K", "NVT_FCC_1400K", "NPT_FCC_1400K" })
        {
            var data = PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", folder));
            for (var i = 0; i < data.Count; i += 10) yield return data[i];
        }
        foreach (var s in PoetFolder.Read(TestData.Repo("poet", "DFT_Cu", "lowIndexSurfaces")).Structures) yield return s;
    }

    [LammpsTheory]
    [InlineData("Cu_mishin1.eam.alloy")]
    [InlineData("Cu_u3.eam")]
    public void EqualsLammpsOnDftCopper(string file)
    {
        var (dE, dAtom, dF, dS) = EamTests.AssertMatchesLammps(Path.Combine(PotentialFactory.LammpsPotentialsFolder, file), DftCopper());
        output.WriteLine($"{file}: max |ΔE| = {dE:G3} eV/atom, |ΔE_i| = {dAtom:G3} eV, |ΔF| = {dF:G3} eV/Å, |Δσ| = {dS * Units.GPaPerEvPerA3:G3} GPa");
    }
}
