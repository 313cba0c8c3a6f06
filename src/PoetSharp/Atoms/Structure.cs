namespace PoetSharp.Atoms;

/// <summary>
/// An atomic structure, as ASE's Atoms: a cell, Cartesian positions (Å) and a chemical symbol per atom,
/// optionally labelled with reference data — total energy (eV), forces (eV/Å), stress (eV/Å³, tensile
/// positive) — and carrying a name, a group (e.g. the folder it came from) and a fitting weight.
/// </summary>
public sealed class Structure
{
    public Cell Cell { get; set; }
    public Vec3[] Positions { get; }
    public string[] Species { get; }

    /// <summary>Reference total energy in eV, if known.</summary>
    public double? Energy { get; set; }
    /// <summary>Reference forces in eV/Å, one per atom, if known.</summary>
    public Vec3[]? Forces { get; set; }
    /// <summary>Reference stress in eV/Å³, tensile positive, if known.</summary>
    public Stress? Stress { get; set; }

    public string Name { get; set; }
    public string Group { get; set; }
    public double Weight { get; set; } = 1.0;

    public Structure(Cell cell, Vec3[] positions, string[] species, string name = "", string group = "")
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(species);
        if (positions.Length != species.Length)
            throw new ArgumentException($"{positions.Length} positions but {species.Length} species");
        foreach (var s in species)
            if (!Elements.IsKnown(s)) throw new ArgumentException($"unknown element '{s}'");
        Cell = cell;
        Positions = positions;
        Species = species;
        Name = name;
        Group = group;
    }

    public int Count => Positions.Length;

    /// <summary>Distinct species in order of first appearance.</summary>
    public IReadOnlyList<string> DistinctSpecies() => Species.Distinct().ToArray();

    /// <summary>
    /// Writes each atom's atomic number into <paramref name="numbers"/> (at least <see cref="Count"/> long), without
    /// allocating: the per-atom elements species-resolved models are evaluated with.
    /// </summary>
    public void AtomicNumbers(Span<byte> numbers)
    {
        string? last = null;
        byte z = 0;
        for (var i = 0; i < Species.Length; i++)
        {
            if (!ReferenceEquals(Species[i], last)) { last = Species[i]; z = (byte)Elements.AtomicNumber(last); }
            numbers[i] = z;
        }
    }

    /// <summary>Reference energy per atom (eV/atom), if known.</summary>
    public double? EnergyPerAtom => Energy / Count;

    /// <summary>A deep copy (positions, species, labels); the cell is immutable and shared.</summary>
    public Structure Clone() => new(Cell, (Vec3[])Positions.Clone(), (string[])Species.Clone(), Name, Group)
    {
        Energy = Energy,
        Forces = (Vec3[]?)Forces?.Clone(),
        Stress = Stress,
        Weight = Weight,
    };

    /// <summary>Positions wrapped into the cell along periodic directions.</summary>
    public Vec3[] WrappedPositions()
    {
        var result = new Vec3[Count];
        for (var i = 0; i < Count; i++)
        {
            var s = Cell.ToFractional(Positions[i]);
            s = new(Cell.PeriodicA ? s.X - Math.Floor(s.X) : s.X,
                    Cell.PeriodicB ? s.Y - Math.Floor(s.Y) : s.Y,
                    Cell.PeriodicC ? s.Z - Math.Floor(s.Z) : s.Z);
            result[i] = Cell.ToCartesian(s);
        }
        return result;
    }

    public override string ToString() => $"{(Name.Length > 0 ? Name : "structure")} ({Count} atoms{(Group.Length > 0 ? ", group " + Group : "")})";
}
