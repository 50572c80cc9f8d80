# amico:collecteur format=1
# AMICo - collecteur PowerShell des postes Windows (Windows PowerShell 5.1, sans module).
# Sent as is by amico.colleges.logiciels_conformite through ansible.windows.win_powershell:
# ONE WinRM/PSRP round trip per mode. Output: one JSON document on the output stream.
#
# Modes:
#   collecte    uninstall entries of both registry views and of the loaded user hives
#               (HKU\<SID>, per-user installs), the file versions, registry
#               values and services the catalog's rules ask for (DemandeJson), pending
#               reboot indicators, OS version, free disk, Windows/Office licences
#               (SoftwareLicensingProduct, Click-to-Run), antivirus (SecurityCenter2,
#               Defender status): every post fact in this one round trip.
#   appliquer   runs the planned actions (ActionsJson) from the site's software share,
#               copying each installer locally first (the share is mapped with explicit
#               credentials: the WinRM "double hop" cannot reach it otherwise), checks the
#               sha256, honours the accepted exit codes, then re-runs the collecte so the
#               controller re-detects; reboots only when RedemarrageAutorise is true.
#   redemarrer  schedules a reboot (pending reboot before installing, inside the window).
#
# This script has never run on real Windows in this repository's CI: it is parse-checked
# (tests/logiciels/test_collecteur_ps1.py) and its JSON format is replayed by the lab
# stand-in (lab/amico_lab/postes). See lab/amico_lab/postes/README.md.
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$Mode = 'collecte',
    [string]$DemandeJson = '{}',
    [string]$ActionsJson = '[]',
    [string]$Partage = '',
    # sent as win_powershell `sensitive_parameters` (never in the logged `parameters`)
    [PSCredential]$IdentifiantPartage = $null,
    [bool]$RedemarrageAutorise = $false,
    [int]$DelaiSecondes = 3600
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$script:Erreurs = New-Object System.Collections.ArrayList
$script:ProfilsLus = New-Object System.Collections.ArrayList

function Add-AmicoErreur([string]$Ou, $Exception) {
    [void]$script:Erreurs.Add([ordered]@{ ou = $Ou; message = "$Exception" })
}

function Get-AmicoValeur($Cle, [string]$Nom) {
    try { return $Cle.GetValue($Nom, $null) } catch { return $null }
}

function Get-AmicoDesinstallation {
    $vues = @(
        @{ vue = '64'; chemin = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' },
        @{ vue = '32'; chemin = 'SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall' }
    )
    $lignes = New-Object System.Collections.ArrayList
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey(
        [Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    foreach ($v in $vues) {
        $racine = $null
        try { $racine = $base.OpenSubKey($v.chemin) } catch { Add-AmicoErreur "desinstallation:$($v.vue)" $_ }
        if ($null -eq $racine) { continue }
        foreach ($nom in $racine.GetSubKeyNames()) {
            try {
                $k = $racine.OpenSubKey($nom)
                if ($null -eq $k) { continue }
                $affiche = Get-AmicoValeur $k 'DisplayName'
                if ([string]::IsNullOrWhiteSpace([string]$affiche)) { $k.Close(); continue }
                [void]$lignes.Add([ordered]@{
                    vue                  = $v.vue
                    cle                  = $nom
                    DisplayName          = [string]$affiche
                    DisplayVersion       = Get-AmicoValeur $k 'DisplayVersion'
                    Publisher            = Get-AmicoValeur $k 'Publisher'
                    UninstallString      = Get-AmicoValeur $k 'UninstallString'
                    QuietUninstallString = Get-AmicoValeur $k 'QuietUninstallString'
                    InstallDate          = Get-AmicoValeur $k 'InstallDate'
                    WindowsInstaller     = Get-AmicoValeur $k 'WindowsInstaller'
                    SystemComponent      = Get-AmicoValeur $k 'SystemComponent'
                    ParentKeyName        = Get-AmicoValeur $k 'ParentKeyName'
                    ReleaseType          = Get-AmicoValeur $k 'ReleaseType'
                })
                $k.Close()
            } catch { Add-AmicoErreur "desinstallation:$($v.vue):$nom" $_ }
        }
        $racine.Close()
    }
    # Per-user installs (GeoGebra's own exe, Inno /CURRENTUSER...) live in the user's hive.
    # Only the hives of users logged on (or otherwise loaded) are visible under HKU; the
    # SIDs read are returned in `profils_lus` so the report can say what was not seen.
    $hku = [Microsoft.Win32.RegistryKey]::OpenBaseKey(
        [Microsoft.Win32.RegistryHive]::Users, [Microsoft.Win32.RegistryView]::Registry64)
    foreach ($sid in $hku.GetSubKeyNames()) {
        if ($sid -notmatch '^S-1-5-21-[0-9-]+$') { continue }
        [void]$script:ProfilsLus.Add($sid)
        $racine = $null
        try { $racine = $hku.OpenSubKey("$sid\Software\Microsoft\Windows\CurrentVersion\Uninstall") } catch { Add-AmicoErreur "desinstallation:utilisateur:$sid" $_ }
        if ($null -eq $racine) { continue }
        foreach ($nom in $racine.GetSubKeyNames()) {
            try {
                $k = $racine.OpenSubKey($nom)
                if ($null -eq $k) { continue }
                $affiche = Get-AmicoValeur $k 'DisplayName'
                if ([string]::IsNullOrWhiteSpace([string]$affiche)) { $k.Close(); continue }
                [void]$lignes.Add([ordered]@{
                    vue                  = 'utilisateur'
                    sid                  = $sid
                    cle                  = $nom
                    DisplayName          = [string]$affiche
                    DisplayVersion       = Get-AmicoValeur $k 'DisplayVersion'
                    Publisher            = Get-AmicoValeur $k 'Publisher'
                    UninstallString      = Get-AmicoValeur $k 'UninstallString'
                    QuietUninstallString = Get-AmicoValeur $k 'QuietUninstallString'
                    InstallDate          = Get-AmicoValeur $k 'InstallDate'
                    WindowsInstaller     = Get-AmicoValeur $k 'WindowsInstaller'
                    SystemComponent      = Get-AmicoValeur $k 'SystemComponent'
                    ParentKeyName        = Get-AmicoValeur $k 'ParentKeyName'
                    ReleaseType          = Get-AmicoValeur $k 'ReleaseType'
                })
                $k.Close()
            } catch { Add-AmicoErreur "desinstallation:utilisateur:${sid}:$nom" $_ }
        }
        $racine.Close()
    }
    return , $lignes
}

function Get-AmicoFichiers($Chemins) {
    $res = [ordered]@{}
    foreach ($c in @($Chemins)) {
        if ($null -eq $c) { continue }
        try {
            $p = [Environment]::ExpandEnvironmentVariables([string]$c)
            if (Test-Path -LiteralPath $p -PathType Leaf) {
                $vi = (Get-Item -LiteralPath $p).VersionInfo
                $res[[string]$c] = [ordered]@{
                    existe          = $true
                    version         = '{0}.{1}.{2}.{3}' -f $vi.FileMajorPart, $vi.FileMinorPart, $vi.FileBuildPart, $vi.FilePrivatePart
                    version_produit = $vi.ProductVersion
                }
            } else {
                $res[[string]$c] = [ordered]@{ existe = $false }
            }
        } catch {
            Add-AmicoErreur "fichier:$c" $_
            $res[[string]$c] = [ordered]@{ existe = $null; erreur = "$_" }
        }
    }
    return $res
}

function Get-AmicoRegistre($Demandes) {
    $res = [ordered]@{}
    foreach ($d in @($Demandes)) {
        if ($null -eq $d) { continue }
        $id = '{0}|{1}' -f $d.cle, $d.valeur
        try {
            $chemin = 'Registry::' + ([string]$d.cle -replace '^HKLM\\', 'HKEY_LOCAL_MACHINE\' -replace '^HKCU\\', 'HKEY_CURRENT_USER\')
            if (-not (Test-Path -LiteralPath $chemin)) {
                $res[$id] = [ordered]@{ existe = $false }
            } elseif ([string]::IsNullOrEmpty([string]$d.valeur)) {
                $res[$id] = [ordered]@{ existe = $true }
            } else {
                $prop = Get-ItemProperty -LiteralPath $chemin -Name $d.valeur -ErrorAction SilentlyContinue
                if ($null -eq $prop) {
                    $res[$id] = [ordered]@{ existe = $false }
                } else {
                    $res[$id] = [ordered]@{ existe = $true; valeur = [string]$prop.($d.valeur) }
                }
            }
        } catch {
            Add-AmicoErreur "registre:$id" $_
            $res[$id] = [ordered]@{ existe = $null; erreur = "$_" }
        }
    }
    return $res
}

function Get-AmicoServices($Noms) {
    $res = [ordered]@{}
    foreach ($n in @($Noms)) {
        if ($null -eq $n) { continue }
        $s = Get-Service -Name $n -ErrorAction SilentlyContinue
        if ($null -eq $s) {
            $res[[string]$n] = [ordered]@{ existe = $false }
        } else {
            $res[[string]$n] = [ordered]@{ existe = $true; etat = [string]$s.Status; demarrage = [string]$s.StartType }
        }
    }
    return $res
}

function Get-AmicoRedemarrage {
    $indicateurs = New-Object System.Collections.ArrayList
    $cbs = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    $wu = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
    if (Test-Path -LiteralPath $cbs) { [void]$indicateurs.Add('CBS RebootPending') }
    if (Test-Path -LiteralPath $wu) { [void]$indicateurs.Add('WindowsUpdate RebootRequired') }
    $sm = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -Name PendingFileRenameOperations -ErrorAction SilentlyContinue
    if ($null -ne $sm -and @($sm.PendingFileRenameOperations | Where-Object { $_ }).Count -gt 0) {
        [void]$indicateurs.Add('PendingFileRenameOperations')
    }
    $actif = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' -ErrorAction SilentlyContinue).ComputerName
    $futur = (Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' -ErrorAction SilentlyContinue).ComputerName
    if ($actif -and $futur -and $actif -ne $futur) { [void]$indicateurs.Add('ComputerName') }
    $upd = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Updates' -Name UpdateExeVolatile -ErrorAction SilentlyContinue
    if ($null -ne $upd -and $upd.UpdateExeVolatile -ne 0) { [void]$indicateurs.Add('UpdateExeVolatile') }
    return [ordered]@{ en_attente = ($indicateurs.Count -gt 0); indicateurs = $indicateurs }
}

function Get-AmicoLicences {
    # Windows and volume/MSI Office (2013+) licences: SoftwareLicensingProduct rows that
    # hold a key. LicenseStatus 1 = licensed; ProductKeyChannel = Retail, OEM:DM,
    # Volume:GVLK (KMS client), Volume:MAK. Click-to-Run Office is read from its config.
    $produits = New-Object System.Collections.ArrayList
    try {
        $lignes = Get-CimInstance -ClassName SoftwareLicensingProduct -Filter 'PartialProductKey IS NOT NULL' -ErrorAction Stop
        foreach ($p in @($lignes)) {
            $canal = $null
            if ($p.PSObject.Properties['ProductKeyChannel']) { $canal = [string]$p.ProductKeyChannel }
            [void]$produits.Add([ordered]@{
                nom               = [string]$p.Name
                description       = [string]$p.Description
                application       = [string]$p.ApplicationID
                etat              = [int]$p.LicenseStatus
                cle_partielle     = [string]$p.PartialProductKey
                canal             = $canal
                fin_grace_minutes = [int]$p.GracePeriodRemaining
                kms               = [string]$p.KeyManagementServiceMachine
            })
        }
    } catch { Add-AmicoErreur 'licences:SoftwareLicensingProduct' $_; return $null }
    $c2r = $null
    $cfg = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration' -ErrorAction SilentlyContinue
    if ($null -ne $cfg) {
        $c2r = [ordered]@{
            produits            = [string]$cfg.ProductReleaseIds
            version             = [string]$cfg.VersionToReport
            licence_partagee    = [string]$cfg.SharedComputerLicensing
        }
    }
    return [ordered]@{ produits = $produits; office_c2r = $c2r }
}

function Get-AmicoAntivirus {
    # SecurityCenter2 exists on client Windows only (absent on Windows Server: not an
    # error); Defender's own status gives the signature age the référentiel bounds.
    $produits = New-Object System.Collections.ArrayList
    $centre = $true
    try {
        foreach ($av in @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct -ErrorAction Stop)) {
            [void]$produits.Add([ordered]@{ nom = [string]$av.displayName; etat_produit = [int]$av.productState })
        }
    } catch { $centre = $false }
    $defender = $null
    try {
        $mp = Get-MpComputerStatus -ErrorAction Stop
        $maj = $null
        if ($mp.AntivirusSignatureLastUpdated) { $maj = $mp.AntivirusSignatureLastUpdated.ToUniversalTime().ToString('o') }
        $defender = [ordered]@{
            actif                = [bool]$mp.AntivirusEnabled
            temps_reel           = [bool]$mp.RealTimeProtectionEnabled
            mode                 = [string]$mp.AMRunningMode
            age_signatures_jours = [int]$mp.AntivirusSignatureAge
            signatures_maj       = $maj
            version_signatures   = [string]$mp.AntivirusSignatureVersion
        }
    } catch { $defender = [ordered]@{ erreur = "$_" } }
    return [ordered]@{ centre_securite = $centre; produits = $produits; defender = $defender }
}

function Get-AmicoSysteme {
    $cv = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    $ubr = 0
    if ($cv.PSObject.Properties['UBR']) { $ubr = $cv.UBR }
    $affichage = $null
    if ($cv.PSObject.Properties['DisplayVersion']) { $affichage = $cv.DisplayVersion }
    elseif ($cv.PSObject.Properties['ReleaseId']) { $affichage = $cv.ReleaseId }
    return [ordered]@{
        nom             = $cv.ProductName
        edition         = $cv.EditionID
        version         = '10.0.{0}.{1}' -f $cv.CurrentBuild, $ubr
        version_affiche = $affichage
        architecture    = $(if ([Environment]::Is64BitOperatingSystem) { '64' } else { '32' })
    }
}

function Get-AmicoDisque {
    $d = New-Object System.IO.DriveInfo($env:SystemDrive)
    return [ordered]@{ lecteur = $env:SystemDrive; libre_octets = $d.AvailableFreeSpace; taille_octets = $d.TotalSize }
}

function Invoke-AmicoCollecte($Demande) {
    $debut = Get-Date
    $r = [ordered]@{
        format         = 1
        ordinateur     = $env:COMPUTERNAME
        horodatage     = (Get-Date).ToUniversalTime().ToString('o')
        systeme        = Get-AmicoSysteme
        disque         = Get-AmicoDisque
        redemarrage    = Get-AmicoRedemarrage
        desinstallation = Get-AmicoDesinstallation
        profils_lus    = $script:ProfilsLus
        fichiers       = Get-AmicoFichiers $Demande.fichiers
        registre       = Get-AmicoRegistre $Demande.registre
        services       = Get-AmicoServices $Demande.services
        licences       = Get-AmicoLicences
        antivirus      = Get-AmicoAntivirus
    }
    $r.erreurs = $script:Erreurs
    $r.duree_ms = [int]((Get-Date) - $debut).TotalMilliseconds
    return $r
}

function Invoke-AmicoProcessus([string]$Fichier, [string]$Arguments, [int]$Delai) {
    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = $Fichier
    $psi.Arguments = $Arguments
    $psi.UseShellExecute = $false
    $psi.CreateNoWindow = $true
    $p = [System.Diagnostics.Process]::Start($psi)
    if (-not $p.WaitForExit($Delai * 1000)) {
        try { $p.Kill() } catch { Add-AmicoErreur "delai:$Fichier" $_ }
        return 1460  # ERROR_TIMEOUT
    }
    return $p.ExitCode
}

function Invoke-AmicoActions($Actions) {
    $executions = New-Object System.Collections.ArrayList
    $lecteur = $null
    $local = Join-Path $env:ProgramData 'AMICo\cache'
    if (@($Actions | Where-Object { $_.fichier }).Count -gt 0) {
        if (-not (Test-Path -LiteralPath $local)) { [void](New-Item -ItemType Directory -Path $local -Force) }
        if ($IdentifiantPartage) {
            # Double hop: the WinRM session holds no credential for \\serveur\logiciels;
            # map the share with the dedicated read-only account sent from Vault.
            $lecteur = New-PSDrive -Name AMICOLOG -PSProvider FileSystem -Root $Partage -Credential $IdentifiantPartage
        }
    }
    foreach ($a in @($Actions)) {
        $ex = [ordered]@{ id = $a.id; action = $a.action; codes_retour_ok = $a.codes_retour_ok; code = $null; erreur = $null }
        $debut = Get-Date
        try {
            if ($a.action -eq 'desinstaller') {
                $ex.commande = $a.commande
                $ex.code = Invoke-AmicoProcessus "$env:SystemRoot\System32\cmd.exe" ('/d /s /c "' + $a.commande + '"') $DelaiSecondes
            } else {
                $source = Join-Path $Partage $a.fichier
                $cible = Join-Path $local (Split-Path -Leaf $a.fichier)
                Copy-Item -LiteralPath $source -Destination $cible -Force
                if ($a.sha256) {
                    $h = (Get-FileHash -LiteralPath $cible -Algorithm SHA256).Hash
                    if ($h -ne ([string]$a.sha256).ToUpper()) { throw "empreinte sha256 inattendue : $h" }
                }
                if ($cible -like '*.msi') {
                    $ex.commande = "msiexec.exe /i `"$cible`" $($a.arguments)"
                    $ex.code = Invoke-AmicoProcessus "$env:SystemRoot\System32\msiexec.exe" "/i `"$cible`" $($a.arguments)" $DelaiSecondes
                } else {
                    $ex.commande = "`"$cible`" $($a.arguments)"
                    $ex.code = Invoke-AmicoProcessus $cible ([string]$a.arguments) $DelaiSecondes
                }
            }
        } catch {
            $ex.code = -1
            $ex.erreur = "$_"
        }
        $ex.duree_s = [int]((Get-Date) - $debut).TotalSeconds
        [void]$executions.Add($ex)
    }
    if ($null -ne $lecteur) { Remove-PSDrive -Name AMICOLOG -ErrorAction SilentlyContinue }
    return , $executions
}

$demande = ConvertFrom-Json -InputObject $DemandeJson
$sortie = [ordered]@{ format = 1; mode = $Mode }
switch ($Mode) {
    'collecte' {
        $sortie = Invoke-AmicoCollecte $demande
    }
    'appliquer' {
        $actions = ConvertFrom-Json -InputObject $ActionsJson
        $sortie.executions = Invoke-AmicoActions $actions
        $sortie.collecte = Invoke-AmicoCollecte $demande
        $redem = @($sortie.executions | Where-Object { $_.code -eq 3010 -or $_.code -eq 1641 }).Count -gt 0
        $sortie.redemarrage_lance = $false
        if ($redem -and $RedemarrageAutorise) {
            & shutdown.exe /r /t 60 /c "AMICo : redemarrage apres installation" | Out-Null
            $sortie.redemarrage_lance = $true
        }
    }
    'redemarrer' {
        & shutdown.exe /r /t 60 /c "AMICo : redemarrage en attente avant installation" | Out-Null
        $sortie.redemarrage_lance = $true
    }
    default { throw "Mode inconnu : $Mode" }
}
ConvertTo-Json -InputObject $sortie -Depth 6 -Compress
