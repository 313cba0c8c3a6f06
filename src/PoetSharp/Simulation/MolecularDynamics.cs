using PoetSharp.Atoms;
using PoetSharp.Potentials;
using PoetSharp.Search;

namespace PoetSharp.Simulation;

/// <summary>
/// Molecular dynamics of one structure with any <see cref="IPotential"/>, in LAMMPS's metal units: Å, eV, fs, amu, K.
/// <list type="bullet">
/// <item>NVE: velocity Verlet.</item>
/// <item>Langevin: BAOAB (kick, drift, exact Ornstein–Uhlenbeck step, drift, kick), the splitting with the most
/// accurate configurational sampling at large steps (Leimkuhler and Matthews 2013).</item>
/// <item>Nosé–Hoover chains and NPT: the Trotter factorisation of Martyna, Tuckerman, Tobias and Klein (1996), with
/// the barostat of MTK (log-volume or per-axis strain rates, each driven by the internal minus the target pressure
/// plus the kinetic correction 2K/N_f) and a separate chain thermostatting the barostat, as LAMMPS's fix npt does.</item>
/// </list>
/// Positions are kept unwrapped (so displacements for diffusion are direct); the neighbour list holds pairs within
/// cutoff + skin and is rebuilt only when an atom may have crossed the skin, also under cell deformation.
/// Each step is allocation-free once the first force call has sized the buffers.
/// </summary>
public sealed partial class MolecularDynamics
{
    private readonly IPotential _potential;
    private readonly NeighbourList _list = new();
    private readonly PotentialResult _result = new();
    private readonly double[] _mass;
    private readonly Vec3[] _velocities;
    private readonly Vec3[] _reference;
    private SearchRandom _random; // xoshiro256**: its state goes into restart files
    private readonly double _dt, _kT;
    private readonly int _dof;

    // Nosé–Hoover chain on the particles and on the barostat: positions ξ, velocities vξ (1/fs), masses Q (eV fs²).
    private readonly double[] _chainPosition, _chainVelocity, _chainMass;
    private readonly double[] _barostatChainPosition, _barostatChainVelocity, _barostatChainMass;
    private readonly double _barostatMass; // W (eV fs²)
    private Vec3 _strainRate;              // v_ε (1/fs): all three equal when isotropic
    private double _scaleSinceBuild = 1;   // smallest stretch of any vector since the last list build

    private double _langevinHeat; // energy removed by the Langevin thermostat (eV), for the conserved quantity

    private double _startTemperature;
    private readonly double _startVolume;
    private readonly double _startEnergy;

    public MdSettings Settings { get; }
    /// <summary>The evolving structure: unwrapped positions, and the cell (deformed under NPT).</summary>
    public Structure Structure { get; }
    /// <summary>Velocities (Å/fs).</summary>
    public ReadOnlySpan<Vec3> Velocities => _velocities;
    /// <summary>Current forces (eV/Å).</summary>
    public ReadOnlySpan<Vec3> Forces => _result.Forces;
    public long Step { get; private set; }
    /// <summary>Simulated time (fs).</summary>
    public double Time => Step * _dt;
    public int DegreesOfFreedom => _dof;
    /// <summary>How many times the neighbour list has been built.</summary>
    public int NeighbourListBuilds { get; private set; }

    public double PotentialEnergy => _result.Energy;
    public double KineticEnergy { get; private set; }
    /// <summary>Instantaneous temperature 2K/(N_f k_B) (K).</summary>
    public double Temperature => 2 * KineticEnergy / (_dof * Units.BoltzmannEvPerK);
    public double TotalEnergy => PotentialEnergy + KineticEnergy;
    public double Volume => Structure.Cell.Volume;
    /// <summary>The potential's virial stress (eV/Å³, tensile positive).</summary>
    public Stress VirialStress => _result.Stress;
    /// <summary>Instantaneous pressure including the kinetic part (eV/Å³, compression positive).</summary>
    public double Pressure => Structure.Cell.FullyPeriodic ? 2 * KineticEnergy / (3 * Volume) + _result.Stress.Pressure : 0;

    /// <summary>
    /// The quantity the integrator conserves (eV): the total energy in NVE; plus the thermostats' and barostat's
    /// energies (and P·V) for Nosé–Hoover and NPT; plus the heat the Langevin thermostat removed. Its drift measures
    /// the integration error.
    /// </summary>
    public double ConservedEnergy
    {
        get
        {
            var h = TotalEnergy;
            switch (Settings.Ensemble)
            {
                case Ensemble.Langevin:
                    return h + _langevinHeat;
                case Ensemble.NoseHoover:
                    return h + ChainEnergy(_chainPosition, _chainVelocity, _chainMass, _dof);
                case Ensemble.NptIsotropic or Ensemble.NptAnisotropic:
                    var barostatDof = Settings.Ensemble == Ensemble.NptIsotropic ? 1 : 3;
                    var barostatKinetic = Settings.Ensemble == Ensemble.NptIsotropic
                        ? 0.5 * _barostatMass * _strainRate.X * _strainRate.X
                        : 0.5 * _barostatMass * _strainRate.LengthSquared;
                    return h + ChainEnergy(_chainPosition, _chainVelocity, _chainMass, _dof)
                             + ChainEnergy(_barostatChainPosition, _barostatChainVelocity, _barostatChainMass, barostatDof)
                             + barostatKinetic + Settings.Pressure * Volume;
                default:
                    return h;
            }
        }
    }

    /// <summary>
    /// Starts a run on <paramref name="structure"/> (copied; positions may lie outside the cell). Velocities are taken
    /// from <paramref name="velocities"/> (Å/fs) or, when null, drawn from the Maxwell–Boltzmann distribution at
    /// <paramref name="initialTemperature"/> (default: the thermostat's temperature; zero in NVE) with the seed.
    /// </summary>
    public MolecularDynamics(IPotential potential, Structure structure, MdSettings settings, Vec3[]? velocities = null, double? initialTemperature = null)
    {
        ArgumentNullException.ThrowIfNull(potential);
        ArgumentNullException.ThrowIfNull(structure);
        settings.Validate();
        potential.CheckSpecies(structure);
        if (structure.Count < 2) throw new ArgumentException("molecular dynamics needs at least two atoms");
        if (settings.IsBarostatted && !structure.Cell.FullyPeriodic) throw new ArgumentException("a barostat needs a cell periodic in all three directions");
        _potential = potential;
        Settings = settings;
        Structure = structure.Clone();
        var n = Structure.Count;
        _dt = settings.TimeStep;
        _kT = Units.BoltzmannEvPerK * settings.Temperature;
        _mass = Structure.Species.Select(Elements.Mass).ToArray();
        // Velocity Verlet and the deterministic thermostats conserve the total momentum, which starts at zero:
        // three degrees of freedom fewer. Langevin noise moves the centre of mass, so all 3N count there.
        _dof = settings.Ensemble == Ensemble.Langevin ? 3 * n : 3 * n - 3;
        _random = new SearchRandom(settings.Seed);
        _reference = new Vec3[n];

        var m = settings.ChainLength;
        _chainPosition = new double[m]; _chainVelocity = new double[m]; _chainMass = new double[m];
        _barostatChainPosition = new double[m]; _barostatChainVelocity = new double[m]; _barostatChainMass = new double[m];
        var tau = settings.ThermostatTime;
        for (var j = 0; j < m; j++)
        {
            _chainMass[j] = (j == 0 ? _dof : 1) * _kT * tau * tau;
            _barostatChainMass[j] = (j == 0 ? (settings.Ensemble == Ensemble.NptIsotropic ? 1 : 3) : 1) * _kT * tau * tau;
        }
        _barostatMass = (_dof + 3) * _kT * settings.BarostatTime * settings.BarostatTime;

        if (velocities is not null)
        {
            if (velocities.Length != n) throw new ArgumentException($"{velocities.Length} velocities for {n} atoms");
            _velocities = (Vec3[])velocities.Clone();
        }
        else
        {
            _velocities = new Vec3[n];
            var t0 = initialTemperature ?? (settings.IsThermostatted ? settings.Temperature : 0);
            _startTemperature = t0;
            if (t0 > 0) MaxwellBoltzmann(t0);
        }
        KineticEnergy = ComputeKinetic();
        _startTemperature = Math.Max(_startTemperature, Temperature); // given velocities: their own temperature
        _startVolume = structure.Cell.FullyPeriodic ? structure.Cell.Volume : double.NaN;
        ComputeForces();
        _startEnergy = _result.Energy;
    }

    /// <summary>Draws velocities at temperature t (K): normal components of variance k_B t / m, zero total momentum, then scaled to t exactly.</summary>
    private void MaxwellBoltzmann(double t)
    {
        var n = _velocities.Length;
        var momentum = Vec3.Zero;
        var totalMass = 0.0;
        for (var i = 0; i < n; i++)
        {
            var width = Math.Sqrt(Units.BoltzmannEvPerK * t / (_mass[i] * Units.EvPerAmuA2PerFs2));
            _velocities[i] = width * new Vec3(_random.NextGaussian(), _random.NextGaussian(), _random.NextGaussian());
            momentum += _mass[i] * _velocities[i];
            totalMass += _mass[i];
        }
        var drift = momentum / totalMass;
        for (var i = 0; i < n; i++) _velocities[i] -= drift;
        var current = 2 * ComputeKinetic() / (_dof * Units.BoltzmannEvPerK);
        var scale = Math.Sqrt(t / current);
        for (var i = 0; i < n; i++) _velocities[i] *= scale;
    }

    /// <summary>Advances <paramref name="steps"/> steps, calling <paramref name="afterStep"/> after each.</summary>
    public void Run(long steps, Action<MolecularDynamics>? afterStep = null)
    {
        for (long s = 0; s < steps; s++)
        {
            Advance();
            afterStep?.Invoke(this);
        }
    }

    /// <summary>One time step.</summary>
    public void Advance()
    {
        var dt = _dt;
        switch (Settings.Ensemble)
        {
            case Ensemble.Nve:
                Kick(0.5 * dt);
                Drift(dt);
                ComputeForces();
                Kick(0.5 * dt);
                break;
            case Ensemble.Langevin:
                Kick(0.5 * dt);
                Drift(0.5 * dt);
                OrnsteinUhlenbeck(dt);
                Drift(0.5 * dt);
                ComputeForces();
                Kick(0.5 * dt);
                break;
            case Ensemble.NoseHoover:
                ThermostatParticles(0.5 * dt);
                Kick(0.5 * dt);
                Drift(dt);
                ComputeForces();
                Kick(0.5 * dt);
                ThermostatParticles(0.5 * dt);
                break;
            default:
                ThermostatBarostat(0.5 * dt);
                ThermostatParticles(0.5 * dt);
                DriveBarostat(0.5 * dt);
                KickCoupled(0.5 * dt);
                DriftCoupled(dt);
                ComputeForces();
                KickCoupled(0.5 * dt);
                DriveBarostat(0.5 * dt);
                ThermostatParticles(0.5 * dt);
                ThermostatBarostat(0.5 * dt);
                break;
        }
        Step++;
        KineticEnergy = ComputeKinetic();
        CheckStable();
    }

    /// <summary>
    /// Stops a run that has blown up instead of letting it produce numbers: a non-finite energy, a temperature twenty
    /// times the larger of the target (or starting) temperature and 300 K — what a potential driven outside its data does
    /// when two atoms fall into a spurious deep well — or a potential energy more than <see cref="WellDepthPerAtom"/> per
    /// atom below the start (a thermostat can crush the temperature spike of such a fall within the step, leaving finite
    /// but meaningless energies; no physical process at MD temperatures releases that much). A few comparisons per step;
    /// no effect on a healthy run.
    /// </summary>
    private const string TooCloseAdvice = " (atoms too close for the potential, or a time step too long for the fastest motion: typically a potential used outside its training data; a smaller time step, a thermostat, or learning on the fly may help)";

    /// <summary>How far below its starting value (eV per atom) the potential energy may fall before the run counts as blown up.</summary>
    public const double WellDepthPerAtom = 10.0;

    private void CheckStable()
    {
        var reference = Math.Max(300, Math.Max(Settings.IsThermostatted ? Settings.Temperature : 0, _startTemperature));
        if (Settings.IsBarostatted)
        {
            // A cell that swells or shrinks fourfold is a crystal coming apart (or collapsing), not thermal expansion;
            // left alone it would also grow the neighbour list's bins without bound.
            var ratio = Volume / _startVolume;
            if (!(ratio < 4 && ratio > 0.25))
                throw new MdInstabilityException(Step, Time, _result.Energy, Temperature,
                    FormattableString.Invariant($"the run became unstable at step {Step} ({Time / 1000:G4} ps): the cell's volume is {ratio:G3} times its starting volume") +
                    " (the structure came apart or collapsed under the barostat: above its melting or boiling point at this pressure, or a potential used outside its training data)");
        }
        if (_result.Energy < _startEnergy - WellDepthPerAtom * _velocities.Length)
            throw new MdInstabilityException(Step, Time, _result.Energy, Temperature,
                FormattableString.Invariant($"the run became unstable at step {Step} ({Time / 1000:G4} ps): E_pot = {_result.Energy:G6} eV, {(_startEnergy - _result.Energy) / _velocities.Length:G3} eV/atom below its start") + TooCloseAdvice);
        if (double.IsFinite(_result.Energy) && double.IsFinite(KineticEnergy) && Temperature <= 20 * reference) return;
        throw new MdInstabilityException(Step, Time, _result.Energy, Temperature,
            FormattableString.Invariant($"the run became unstable at step {Step} ({Time / 1000:G4} ps): E_pot = {_result.Energy:G6} eV, T = {Temperature:G4} K") + TooCloseAdvice);
    }

    private double ComputeKinetic()
    {
        var sum = 0.0;
        for (var i = 0; i < _velocities.Length; i++) sum += _mass[i] * _velocities[i].LengthSquared;
        return 0.5 * sum * Units.EvPerAmuA2PerFs2;
    }

    /// <summary>Σ m v_a² (eV) per Cartesian axis: twice the kinetic energy along each.</summary>
    private Vec3 KineticTensorDiagonal()
    {
        double xx = 0, yy = 0, zz = 0;
        for (var i = 0; i < _velocities.Length; i++)
        {
            var v = _velocities[i];
            xx += _mass[i] * v.X * v.X; yy += _mass[i] * v.Y * v.Y; zz += _mass[i] * v.Z * v.Z;
        }
        return Units.EvPerAmuA2PerFs2 * new Vec3(xx, yy, zz);
    }

    private void Kick(double h)
    {
        var forces = _result.Forces;
        for (var i = 0; i < _velocities.Length; i++)
            _velocities[i] += h / (_mass[i] * Units.EvPerAmuA2PerFs2) * forces[i];
    }

    private void Drift(double h)
    {
        var positions = Structure.Positions;
        var maxSq = 0.0;
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] += h * _velocities[i];
            maxSq = Math.Max(maxSq, (positions[i] - _reference[i]).LengthSquared);
        }
        if (NeedsRebuild(maxSq)) BuildList();
    }

    /// <summary>The exact Ornstein–Uhlenbeck step of the Langevin thermostat: v ← c v + √((1 − c²) k_B T / m) ξ.</summary>
    private void OrnsteinUhlenbeck(double h)
    {
        var c = Math.Exp(-h / Settings.ThermostatTime);
        var noise = Math.Sqrt(1 - c * c);
        var before = ComputeKinetic();
        for (var i = 0; i < _velocities.Length; i++)
        {
            var width = noise * Math.Sqrt(_kT / (_mass[i] * Units.EvPerAmuA2PerFs2));
            _velocities[i] = c * _velocities[i] + width * new Vec3(_random.NextGaussian(), _random.NextGaussian(), _random.NextGaussian());
        }
        _langevinHeat += before - ComputeKinetic();
    }

    private void ThermostatParticles(double h)
    {
        var twoKinetic = 2 * ComputeKinetic();
        var scale = PropagateChain(h, twoKinetic, _dof, _chainPosition, _chainVelocity, _chainMass);
        for (var i = 0; i < _velocities.Length; i++) _velocities[i] *= scale;
    }

    private void ThermostatBarostat(double h)
    {
        var isotropic = Settings.Ensemble == Ensemble.NptIsotropic;
        var twoKinetic = isotropic ? _barostatMass * _strainRate.X * _strainRate.X : _barostatMass * _strainRate.LengthSquared;
        var scale = PropagateChain(h, twoKinetic, isotropic ? 1 : 3, _barostatChainPosition, _barostatChainVelocity, _barostatChainMass);
        _strainRate *= scale;
    }

    /// <summary>
    /// Propagates a Nosé–Hoover chain over time h (half a step) for dofs with kinetic energy twoKinetic/2, and returns
    /// the factor by which their velocities shrink: the chain's outer thermostats first, inward, then the scaling, then outward.
    /// </summary>
    private double PropagateChain(double h, double twoKinetic, int dof, double[] position, double[] velocity, double[] mass)
    {
        var m = velocity.Length;
        var kT = _kT;
        double Force(int j, double twoK) => j == 0 ? (twoK - dof * kT) / mass[0] : (mass[j - 1] * velocity[j - 1] * velocity[j - 1] - kT) / mass[j];

        velocity[m - 1] += 0.5 * h * Force(m - 1, twoKinetic);
        for (var j = m - 2; j >= 0; j--)
        {
            var damp = Math.Exp(-0.25 * h * velocity[j + 1]);
            velocity[j] = (velocity[j] * damp + 0.5 * h * Force(j, twoKinetic)) * damp;
        }
        var scale = Math.Exp(-h * velocity[0]);
        twoKinetic *= scale * scale;
        for (var j = 0; j < m; j++) position[j] += h * velocity[j];
        for (var j = 0; j < m - 1; j++)
        {
            var damp = Math.Exp(-0.25 * h * velocity[j + 1]);
            velocity[j] = (velocity[j] * damp + 0.5 * h * Force(j, twoKinetic)) * damp;
        }
        if (m > 1) velocity[m - 1] += 0.5 * h * Force(m - 1, twoKinetic);
        return scale;
    }

    private double ChainEnergy(double[] position, double[] velocity, double[] mass, int dof)
    {
        var e = 0.0;
        for (var j = 0; j < velocity.Length; j++)
            e += 0.5 * mass[j] * velocity[j] * velocity[j] + (j == 0 ? dof : 1) * _kT * position[j];
        return e;
    }

    /// <summary>
    /// The barostat's strain rates: W dv_ε,a/dt = V (P_aa − P_target) + 2K/N_f per axis, where P_aa is the internal
    /// pressure along a (kinetic plus virial); the isotropic barostat feels the sum over axes.
    /// </summary>
    private void DriveBarostat(double h)
    {
        var volume = Volume;
        var kinetic = KineticTensorDiagonal();
        var twoK = kinetic.X + kinetic.Y + kinetic.Z;
        var stress = _result.Stress;
        var target = Settings.Pressure;
        var drive = new Vec3(
            kinetic.X - volume * stress.Xx - volume * target + twoK / _dof,
            kinetic.Y - volume * stress.Yy - volume * target + twoK / _dof,
            kinetic.Z - volume * stress.Zz - volume * target + twoK / _dof);
        if (Settings.Ensemble == Ensemble.NptIsotropic)
        {
            var rate = _strainRate.X + h * (drive.X + drive.Y + drive.Z) / _barostatMass;
            _strainRate = new Vec3(rate, rate, rate);
        }
        else
            _strainRate += h / _barostatMass * drive;
    }

    /// <summary>Kick under the barostat's friction: dv_a/dt = F_a/m − (v_ε,a + tr v_ε / N_f) v_a, solved exactly over h.</summary>
    private void KickCoupled(double h)
    {
        var trace = (_strainRate.X + _strainRate.Y + _strainRate.Z) / _dof;
        var (dx, fx) = Friction(_strainRate.X + trace, h);
        var (dy, fy) = Friction(_strainRate.Y + trace, h);
        var (dz, fz) = Friction(_strainRate.Z + trace, h);
        var forces = _result.Forces;
        for (var i = 0; i < _velocities.Length; i++)
        {
            var a = forces[i] / (_mass[i] * Units.EvPerAmuA2PerFs2);
            var v = _velocities[i];
            _velocities[i] = new Vec3(v.X * dx + a.X * fx, v.Y * dy + a.Y * fy, v.Z * dz + a.Z * fz);
        }
    }

    /// <summary>For dv/dt = a − γv over h: (e^{−γh}, (1 − e^{−γh})/γ), the latter by its series when γh is tiny.</summary>
    private static (double Decay, double Gain) Friction(double gamma, double h)
    {
        var x = gamma * h;
        var decay = Math.Exp(-x);
        var gain = Math.Abs(x) < 1e-6 ? h * (1 - 0.5 * x + x * x / 6) : (1 - decay) / gamma;
        return (decay, gain);
    }

    /// <summary>Drift with the cell: dx_a/dt = v_a + v_ε,a x_a and dh_a/dt = v_ε,a h_a (Cartesian axis a), solved exactly over h.</summary>
    private void DriftCoupled(double h)
    {
        var (sx, gx) = Growth(_strainRate.X, h);
        var (sy, gy) = Growth(_strainRate.Y, h);
        var (sz, gz) = Growth(_strainRate.Z, h);
        // A cell that would change by a tenth in one step (or become non-finite) means the pressure has exploded,
        // typically atoms driven into each other outside the potential's data: stop with the reason, not a broken cell.
        CheckCellScale(sx); CheckCellScale(sy); CheckCellScale(sz);
        var positions = Structure.Positions;
        var maxSq = 0.0;
        for (var i = 0; i < positions.Length; i++)
        {
            var x = positions[i];
            var v = _velocities[i];
            positions[i] = new Vec3(x.X * sx + v.X * gx, x.Y * sy + v.Y * gy, x.Z * sz + v.Z * gz);
            var r = _reference[i];
            _reference[i] = new Vec3(r.X * sx, r.Y * sy, r.Z * sz);
            maxSq = Math.Max(maxSq, (positions[i] - _reference[i]).LengthSquared);
        }
        var cell = Structure.Cell;
        Vec3 Scale(Vec3 u) => new(u.X * sx, u.Y * sy, u.Z * sz);
        Structure.Cell = cell.WithVectors(Scale(cell.A), Scale(cell.B), Scale(cell.C));
        _list.Deform(Structure.Cell);
        _scaleSinceBuild *= Math.Min(sx, Math.Min(sy, sz));
        if (NeedsRebuild(maxSq)) BuildList();
    }

    private void CheckCellScale(double scale)
    {
        if (scale > 0.9 && scale < 1.1) return;
        throw new MdInstabilityException(Step, Time, _result.Energy, Temperature,
            FormattableString.Invariant($"the run became unstable at step {Step} ({Time / 1000:G4} ps): the barostat would scale the cell by {scale:G4} in one step (pressure {Pressure * Units.BarPerEvPerA3:G4} bar)") + TooCloseAdvice);
    }

    /// <summary>For dx/dt = v + εx over h: (e^{εh}, (e^{εh} − 1)/ε).</summary>
    private static (double Scale, double Gain) Growth(double rate, double h)
    {
        var x = rate * h;
        var scale = Math.Exp(x);
        var gain = Math.Abs(x) < 1e-6 ? h * (1 + 0.5 * x + x * x / 6) : (scale - 1) / rate;
        return (scale, gain);
    }

    /// <summary>
    /// A pair outside the list (farther than cutoff + skin at the build) can have come within the cutoff once the
    /// cell has shrunk vectors by the factor s and atoms moved by up to d: (cutoff + skin)·s − 2d &lt; cutoff.
    /// </summary>
    private bool NeedsRebuild(double maxDisplacementSq)
    {
        var cutoff = _potential.Cutoff;
        var margin = (cutoff + Settings.Skin) * Math.Min(1.0, _scaleSinceBuild) - cutoff;
        return 4 * maxDisplacementSq >= margin * margin || margin <= 0;
    }

    private void BuildList()
    {
        _list.Build(Structure.Cell, Structure.Positions, _potential.Cutoff + Settings.Skin, half: true);
        Structure.Positions.AsSpan().CopyTo(_reference);
        _scaleSinceBuild = 1;
        NeighbourListBuilds++;
    }

    private void ComputeForces()
    {
        if (NeighbourListBuilds == 0) BuildList();
        _potential.Compute(Structure, _list, _result);
        if (!double.IsFinite(_result.Energy))
            throw new MdInstabilityException(Step, Time, _result.Energy, Temperature,
                FormattableString.Invariant($"the run became unstable at step {Step} ({Time / 1000:G4} ps): the potential energy is {_result.Energy}") + TooCloseAdvice);
    }
}
