using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PoetSharp.Atoms;
using PoetSharp.Data;
using PoetSharp.Potentials;
using PoetSharp.Search;

namespace PoetSharp.Simulation;

public sealed partial class MolecularDynamics
{
    private const int RestartVersion = 1;

    private static readonly JsonSerializerOptions RestartJson = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Everything a run needs to continue exactly: the dynamical state, the thermostats, the random stream.</summary>
    private sealed record RestartFile(
        int Version, string Potential, long Step, MdSettings Settings,
        double[][] Cell, bool[] Periodic, string[] Species, double[][] Positions, double[][] Velocities,
        double[] ChainPosition, double[] ChainVelocity, double[] BarostatChainPosition, double[] BarostatChainVelocity,
        double[] StrainRate, double LangevinHeat, ulong[] Random);

    /// <summary>
    /// Writes the run's state to <paramref name="path"/> atomically (a temporary file, then a rename). The neighbour
    /// list is rebuilt and the forces recomputed first, exactly as <see cref="Restore"/> will: the saved run and the
    /// restored one then continue bit for bit alike.
    /// </summary>
    public void SaveRestart(string path)
    {
        BuildList();
        ComputeForces();
        static double[] V(Vec3 v) => [v.X, v.Y, v.Z];
        var file = new RestartFile(RestartVersion, _potential.Name, Step, Settings,
            [V(Structure.Cell.A), V(Structure.Cell.B), V(Structure.Cell.C)],
            [Structure.Cell.PeriodicA, Structure.Cell.PeriodicB, Structure.Cell.PeriodicC],
            Structure.Species, Structure.Positions.Select(V).ToArray(), _velocities.Select(V).ToArray(),
            _chainPosition, _chainVelocity, _barostatChainPosition, _barostatChainVelocity,
            V(_strainRate), _langevinHeat, _random.State);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(file, RestartJson), new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Continues a run saved by <see cref="SaveRestart"/> with <paramref name="potential"/> (the same one, normally;
    /// its name is checked and a different one refused). Settings come from the file unless <paramref name="settings"/>
    /// replaces them (e.g. a new temperature); the thermostat and barostat state carry over when the ensemble is unchanged.
    /// </summary>
    public static MolecularDynamics Restore(IPotential potential, string path, MdSettings? settings = null)
    {
        var text = InputFile.ReadAllText(path, "a restart file");
        RestartFile? file;
        try { file = JsonSerializer.Deserialize<RestartFile>(text, RestartJson); }
        catch (JsonException e) { throw new DataFormatException(path, (int?)e.LineNumber + 1, "not a PoetSharp restart file: " + e.Message); }
        if (file is null || file.Version != RestartVersion || file.Settings is null || file.Cell is not { Length: 3 } || file.Periodic is not { Length: 3 }
            || file.Species is null || file.Positions is null || file.Velocities is null || file.Random is not { Length: 4 })
            throw new DataFormatException(path, null, $"not a PoetSharp restart file of version {RestartVersion} (fields missing)");
        if (file.Potential != potential.Name)
            throw new ArgumentException($"{path} was written by a run with {file.Potential}, not {potential.Name}");
        var n = file.Species.Length;
        if (file.Positions.Length != n || file.Velocities.Length != n)
            throw new DataFormatException(path, null, $"{n} species but {file.Positions.Length} positions and {file.Velocities.Length} velocities");

        Vec3 ToVec(double[] v, string what)
        {
            if (v is not { Length: 3 } || !double.IsFinite(v[0]) || !double.IsFinite(v[1]) || !double.IsFinite(v[2]))
                throw new DataFormatException(path, null, $"{what} is not three finite numbers");
            return new Vec3(v[0], v[1], v[2]);
        }
        Cell cell;
        try { cell = new Cell(ToVec(file.Cell[0], "cell vector a"), ToVec(file.Cell[1], "cell vector b"), ToVec(file.Cell[2], "cell vector c"), file.Periodic[0], file.Periodic[1], file.Periodic[2]); }
        catch (ArgumentException e) { throw new DataFormatException(path, null, e.Message); }
        var positions = file.Positions.Select((p, i) => ToVec(p, $"position of atom {i + 1}")).ToArray();
        var velocities = file.Velocities.Select((v, i) => ToVec(v, $"velocity of atom {i + 1}")).ToArray();
        Structure structure;
        try { structure = new Structure(cell, positions, file.Species, "restart"); }
        catch (ArgumentException e) { throw new DataFormatException(path, null, e.Message); }

        var use = settings ?? file.Settings;
        var md = new MolecularDynamics(potential, structure, use, velocities) { Step = file.Step };
        try { md._random = SearchRandom.FromState(file.Random); }
        catch (ArgumentException e) { throw new DataFormatException(path, null, e.Message); }
        if (use.Ensemble == file.Settings.Ensemble && use.ChainLength == file.Settings.ChainLength)
        {
            Copy(file.ChainPosition, md._chainPosition);
            Copy(file.ChainVelocity, md._chainVelocity);
            Copy(file.BarostatChainPosition, md._barostatChainPosition);
            Copy(file.BarostatChainVelocity, md._barostatChainVelocity);
            md._strainRate = ToVec(file.StrainRate, "strain rate");
            md._langevinHeat = file.LangevinHeat;
        }
        return md;

        void Copy(double[]? from, double[] to)
        {
            if (from is null || from.Length != to.Length || from.Any(x => !double.IsFinite(x)))
                throw new DataFormatException(path, null, $"thermostat chain of {from?.Length ?? 0} values, expected {to.Length} finite values");
            from.CopyTo(to, 0);
        }
    }
}
