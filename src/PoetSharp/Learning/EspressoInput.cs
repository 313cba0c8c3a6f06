using System.Globalization;
using System.Text;
using PoetSharp.Atoms;
using PoetSharp.KPoints;

namespace PoetSharp.Learning;

/// <summary>Writes pw.x's input for an SCF run with forces and stress (the file boundary: Å in, Ry for energies as pw.x wants).</summary>
public static class EspressoInput
{
    /// <summary>The folder, relative to the call folder, where pw.x keeps wavefunctions and charge density (its outdir).</summary>
    public const string OutFolder = "out";

    /// <summary>
    /// The Monkhorst–Pack grid for a cell: the explicit <see cref="EspressoSettings.KGrid"/>, or
    /// n_i = max(1, ceil(|b_i| / spacing)) with b_i = 2π (a_j × a_k) / V. A ratio within 1e-8 above an integer counts as
    /// that integer, so that rounding in the cell does not add a whole row of k-points.
    /// </summary>
    public static (int A, int B, int C) KGrid(Cell cell, EspressoSettings settings)
    {
        if (settings.KGrid is { } grid) return grid;
        var spacing = settings.KSpacing ?? throw new InvalidOperationException("no Monkhorst–Pack grid: the settings ask for a generalized grid (KMinDistance)");
        var volume = Math.Abs(Vec3.Dot(cell.A, Vec3.Cross(cell.B, cell.C)));
        int N(Vec3 u, Vec3 v)
        {
            var b = 2 * Math.PI * Vec3.Cross(u, v).Length / volume;
            return Math.Max(1, (int)Math.Ceiling(b / spacing - 1e-8));
        }
        return (N(cell.B, cell.C), N(cell.C, cell.A), N(cell.A, cell.B));
    }

    /// <summary>
    /// The generalized grid for a structure (<see cref="EspressoSettings.KMinDistance"/>): deterministic, since the search's
    /// default budget counts work, not time, so a resumed run writes the same input for the same structure.
    /// </summary>
    public static KPointGrid GeneralizedGrid(Structure structure, EspressoSettings settings) =>
        KPointGenerator.Generate(structure, settings.KMinDistance).Grid;

    /// <summary>
    /// pw.x's input for <paramref name="structure"/> (fully periodic): calculation='scf' with forces and stress, ibrav=0,
    /// the cell and Cartesian positions in Å, one species per element in order of first appearance with its mass
    /// (<see cref="Elements.Mass"/>) and pseudopotential file from <paramref name="pseudopotentials"/>.
    /// </summary>
    public static string Write(Structure structure, EspressoSettings settings, IReadOnlyDictionary<string, string> pseudopotentials)
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var species = structure.DistinctSpecies();
        // The generalized grid by default; a Monkhorst–Pack grid when one is given or a spacing is set.
        var monkhorstPack = settings.KGrid is not null || settings.KSpacing is not null;
        var k = monkhorstPack ? KGrid(structure.Cell, settings) : default;
        var generalized = monkhorstPack ? null : GeneralizedGrid(structure, settings);
        var magnetic = settings.StartingMagnetization is { Count: > 0 };
        var sb = new StringBuilder();
        sb.Append("&CONTROL\n");
        sb.Append("  calculation = 'scf'\n");
        sb.Append("  prefix = 'pw'\n");
        // Relative to the working directory, which is the call folder: every call keeps its scratch files to itself.
        sb.Append($"  outdir = './{OutFolder}'\n");
        sb.Append($"  pseudo_dir = '{Path.GetFullPath(settings.PseudoFolder)}'\n");
        sb.Append("  tprnfor = .true.\n");
        sb.Append("  tstress = .true.\n");
        sb.Append("/\n");
        sb.Append("&SYSTEM\n");
        sb.Append("  ibrav = 0\n");
        sb.Append($"  nat = {structure.Count}\n");
        sb.Append($"  ntyp = {species.Count}\n");
        sb.Append($"  ecutwfc = {F(settings.EcutWfc)}\n");
        sb.Append($"  ecutrho = {F(settings.EffectiveEcutRho)}\n");
        if (settings.Smearing is null)
        {
            sb.Append("  occupations = 'fixed'\n");
        }
        else
        {
            sb.Append("  occupations = 'smearing'\n");
            sb.Append($"  smearing = '{settings.Smearing}'\n");
            sb.Append($"  degauss = {F(settings.Degauss)}\n");
        }
        if (magnetic)
        {
            sb.Append("  nspin = 2\n");
            for (var t = 0; t < species.Count; t++)
                sb.Append($"  starting_magnetization({t + 1}) = {F(settings.StartingMagnetization!.GetValueOrDefault(species[t]))}\n");
        }
        sb.Append("/\n");
        sb.Append("&ELECTRONS\n");
        sb.Append($"  conv_thr = {F(settings.ConvThrPerAtom * structure.Count)}\n");
        sb.Append($"  mixing_beta = {F(settings.MixingBeta)}\n");
        sb.Append($"  electron_maxstep = {settings.ElectronMaxStep}\n");
        sb.Append("/\n");
        sb.Append("ATOMIC_SPECIES\n");
        foreach (var s in species) sb.Append($"  {s} {F(Elements.Mass(s))} {pseudopotentials[s]}\n");
        sb.Append("CELL_PARAMETERS angstrom\n");
        foreach (var v in new[] { structure.Cell.A, structure.Cell.B, structure.Cell.C })
            sb.Append($"  {F(v.X)} {F(v.Y)} {F(v.Z)}\n");
        sb.Append("ATOMIC_POSITIONS angstrom\n");
        for (var i = 0; i < structure.Count; i++)
        {
            var r = structure.Positions[i];
            sb.Append($"  {structure.Species[i]} {F(r.X)} {F(r.Y)} {F(r.Z)}\n");
        }
        if (generalized is null)
        {
            sb.Append("K_POINTS automatic\n");
            sb.Append($"  {k.A} {k.B} {k.C} 0 0 0\n");
        }
        else
        {
            // Crystal coordinates of the reciprocal lattice; integer weights (orbit sizes), which pw.x normalises.
            sb.Append($"K_POINTS crystal\n  {generalized.Irreducible}\n");
            for (var i = 0; i < generalized.Irreducible; i++)
            {
                var p = generalized.Points[i];
                sb.Append($"  {F(p.X)} {F(p.Y)} {F(p.Z)} {generalized.Multiplicities[i]}\n");
            }
        }
        return sb.ToString();
    }
}
