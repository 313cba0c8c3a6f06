namespace PoetSharp;

/// <summary>
/// Unit conversions used at file boundaries. Internally PoetSharp works in Å, eV, eV/Å and eV/Å³ (stress, tensile positive).
/// </summary>
public static class Units
{
    /// <summary>1 eV/Å³ in GPa (CODATA 2018: e = 1.602176634e-19 C).</summary>
    public const double GPaPerEvPerA3 = 160.21766208;
    /// <summary>1 eV/Å³ in kbar.</summary>
    public const double KbarPerEvPerA3 = 1602.1766208;
    /// <summary>1 eV/Å³ in bar (LAMMPS metal units' pressure).</summary>
    public const double BarPerEvPerA3 = 1602176.6208;
    /// <summary>1 J/m² in eV/Å².</summary>
    public const double EvPerA2PerJPerM2 = 1.0 / 16.021766208;
    /// <summary>
    /// Frequency in THz of an angular frequency √(eV/(Å²·u)), i.e. √(e / (10⁻²⁰ m² · m_u)) / 2π / 10¹² (CODATA 2014, as the constants above;
    /// phonopy's VaspToTHz differs by 1.3e-7 relative).
    /// </summary>
    public const double ThzPerSqrtEvPerA2PerAmu = 15.63330430067055;
    /// <summary>Boltzmann's constant in eV/K (CODATA 2018, exact).</summary>
    public const double BoltzmannEvPerK = 8.617333262e-5;
    /// <summary>1 amu·Å²/fs² in eV: kinetic energies of velocities in Å/fs and masses in amu (LAMMPS metal units' mvv2e).</summary>
    public const double EvPerAmuA2PerFs2 = 103.64269652680505;
    /// <summary>1 Rydberg (Ry, half a Hartree) in eV (CODATA 2018): Quantum ESPRESSO's energy unit.</summary>
    public const double EvPerRydberg = 13.605693122994;
    /// <summary>1 Bohr radius in Å (CODATA 2018): Quantum ESPRESSO's length unit ("au" in its output).</summary>
    public const double AngstromPerBohr = 0.529177210903;
}
