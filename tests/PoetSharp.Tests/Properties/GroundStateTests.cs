using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Properties;
using PoetSharp.Tests.Support;

namespace PoetSharp.Tests.Properties;

/// <summary>The ground-state structure of a data set: adaptive common-neighbour analysis of its lowest-energy structure.</summary>
public class GroundStateTests
{
    /// <summary>Every atom moved by up to <paramref name="amplitude"/> Å along each axis (uniform), as thermal noise.</summary>
    private static Structure Shaken(Structure s, double amplitude, int seed, double energyPerAtom)
    {
        var rng = new Random(seed);
        var shaken = s.Clone();
        for (var i = 0; i < shaken.Count; i++)
            shaken.Positions[i] += amplitude * new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1);
        shaken.Energy = energyPerAtom * shaken.Count;
        return shaken;
    }

    [Theory]
    [InlineData("fcc", CrystalStructure.Fcc)]
    [InlineData(" BCC ", CrystalStructure.Bcc)]
    [InlineData("Hcp", CrystalStructure.Hcp)]
    public void ParsesTheUsersName(string text, CrystalStructure expected) => Assert.Equal(expected, GroundState.Parse(text));

    [Fact]
    public void RejectsOtherNames()
    {
        var e = Assert.Throws<ArgumentException>(() => GroundState.Parse("diamond"));
        Assert.Contains("fcc, bcc or hcp", e.Message);
    }

    /// <summary>POET's DFT copper: the lowest structure is a 300 K fcc snapshot (the 1400 K ones are liquid).</summary>
    [Fact]
    public void DftCopperIsFcc()
    {
        var data = DataFiles.Read(TestData.Repo("poet", "DFT_Cu"));
        Assert.Equal(CrystalStructure.Fcc, GroundState.Identify(data.Structures));
        Assert.Null(GroundState.Classify(data.Structures.First(s => s.Group == "NVT_FCC_1400K")));
    }

    [NeedsFact(External.SharedData)]
    public void MlearnCopperIsFcc()
    {
        var data = DataFiles.Read(TestData.Shared("mlearn", "Cu_train.xyz"));
        Assert.Equal(CrystalStructure.Fcc, GroundState.Identify(data.Structures));
    }

    /// <summary>Built crystals with every atom displaced by up to 0.2 Å (more than copper's 300 K amplitude, about 0.1 Å).</summary>
    [Theory]
    [InlineData(CrystalStructure.Fcc)]
    [InlineData(CrystalStructure.Bcc)]
    [InlineData(CrystalStructure.Hcp)]
    public void RecognisesNoisyCrystals(CrystalStructure structure)
    {
        var crystal = structure switch
        {
            CrystalStructure.Fcc => Lattices.Fcc("Cu", 3.615, 3, 3, 3),
            CrystalStructure.Bcc => Lattices.Bcc("Fe", 2.855, 4, 4, 4),
            _ => Lattices.Supercell(Lattices.Hcp("Mg", 3.18, 1.623), 4, 4, 3),
        };
        for (var seed = 0; seed < 3; seed++)
            Assert.Equal(structure, GroundState.Identify([Shaken(crystal, 0.2, seed, -3.0)]));
    }

    /// <summary>The structure decided is the one lowest in energy per atom, whatever the others are.</summary>
    [Fact]
    public void TakesTheLowestEnergyPerAtom()
    {
        var bcc = Shaken(Lattices.Bcc("Cu", 2.89, 3, 3, 3), 0.05, 1, -3.70);
        var fcc = Shaken(Lattices.Fcc("Cu", 3.615, 2, 2, 2), 0.05, 2, -3.72);
        var hcp = Shaken(Lattices.Supercell(Lattices.Hcp("Cu", 2.556), 3, 3, 2), 0.05, 3, -3.71);
        Assert.Equal(CrystalStructure.Fcc, GroundState.Identify([bcc, fcc, hcp]));
        fcc.Energy = -3.60 * fcc.Count;
        Assert.Equal(CrystalStructure.Hcp, GroundState.Identify([bcc, fcc, hcp]));
        var unlabelled = Lattices.Bcc("Cu", 2.89, 3, 3, 3);
        Assert.Equal(CrystalStructure.Hcp, GroundState.Identify([bcc, fcc, hcp, unlabelled]));
    }

    /// <summary>
    /// Random positions at copper's density, no two atoms closer than 2 Å (random sequential addition, as a liquid's
    /// hard cores): no atom has crystalline neighbours, so there is no ground state.
    /// </summary>
    [Fact]
    public void LiquidLikeStructureHasNone()
    {
        var rng = new Random(7);
        var edge = Math.Cbrt(108 * 11.8);
        var cell = Cell.Orthorhombic(edge, edge, edge);
        var positions = new List<Vec3>();
        while (positions.Count < 108)
        {
            var p = new Vec3(edge * rng.NextDouble(), edge * rng.NextDouble(), edge * rng.NextDouble());
            if (positions.All(q => MinimumImage(p - q, edge).Length >= 2.0)) positions.Add(p);
        }
        var liquid = new Structure(cell, positions.ToArray(), Enumerable.Repeat("Cu", 108).ToArray()) { Energy = -3.5 * 108 };
        Assert.Null(GroundState.Identify([liquid]));
    }

    private static Vec3 MinimumImage(Vec3 d, double edge) =>
        new(d.X - edge * Math.Round(d.X / edge), d.Y - edge * Math.Round(d.Y / edge), d.Z - edge * Math.Round(d.Z / edge));

    [Fact]
    public void NeedsAnEnergy()
    {
        var e = Assert.Throws<ArgumentException>(() => GroundState.Identify([Lattices.Fcc("Cu", 3.615, 2, 2, 2)]));
        Assert.Contains("no fully periodic structure with an energy", e.Message);
    }
}
