; Inno Setup 6 script: the Windows installer over the PyInstaller folder.
;
; Build the folder first (packaging/README.md, "Windows"), then from the repository root:
;     iscc packaging\windows\evsurvey.iss
; which writes dist\evsurvey-VERSION-windows-x64-setup.exe. /DDistDir=PATH points it at a
; folder built elsewhere.
;
; Per-user: no administrator rights, installs under %LOCALAPPDATA%\Programs\evsurvey,
; registers .evsurvey in HKEY_CURRENT_USER, Start-menu entry, uninstaller in Settings >
; Apps. The version is the one PyInstaller wrote into evsurvey-gui.exe's version resource
; (pyproject's, read with importlib.metadata by the spec): nothing to keep in step here.

#ifndef DistDir
  #define DistDir AddBackslash(SourcePath) + "..\..\dist\evsurvey"
#endif
#define GuiExe "evsurvey-gui.exe"
#ifnexist AddBackslash(DistDir) + GuiExe
  #error The PyInstaller folder is missing: build it first (packaging/README.md, Windows), or pass /DDistDir=PATH
#endif
#ifndef AppVersion
  #define AppVersion GetFileProductVersionString(AddBackslash(DistDir) + GuiExe)
#endif
#define ProgId "evsurvey.project"

[Setup]
; AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{4F6B49BA-D315-49C1-97DD-673339D343ED}
AppName=evsurvey
AppVersion={#AppVersion}
AppVerName=evsurvey {#AppVersion}
AppPublisher=evsurvey developers
AppPublisherURL=https://github.com/evsurvey/evsurvey
AppSupportURL=https://github.com/evsurvey/evsurvey/issues
AppCopyright=MIT License, evsurvey developers
; Four numbers for setup.exe's own version resource, from the fixed block the spec wrote.
VersionInfoVersion={#GetVersionNumbersString(AddBackslash(DistDir) + GuiExe)}
; Per-user install: {autopf} is %LOCALAPPDATA%\Programs when PrivilegesRequired=lowest.
PrivilegesRequired=lowest
DefaultDirName={autopf}\evsurvey
DefaultGroupName=evsurvey
DisableProgramGroupPage=yes
; PySide6 6.6+ and Python 3.10+ run on 64-bit Windows 10 1809 and later.
MinVersion=10.0.17763
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
Uninstallable=yes
UninstallDisplayName=evsurvey {#AppVersion}
UninstallDisplayIcon={app}\{#GuiExe}
LicenseFile=..\..\LICENSE
SetupIconFile=..\..\assets\icons\evsurvey.ico
OutputDir=..\..\dist
OutputBaseFilename=evsurvey-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running evsurvey holds its DLLs open: ask to close it before files are replaced.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: evsurvey-gui.exe (no console), evsurvey.exe (command line), _internal\.
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\evsurvey"; Filename: "{app}\{#GuiExe}"; Comment: "Wi-Fi site survey for EV charger installs"
Name: "{autodesktop}\evsurvey"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Registry]
; .evsurvey opens in evsurvey (HKA is HKEY_CURRENT_USER for a per-user install). The ProgID
; and the OpenWithProgids entry go with the uninstaller; "Applications\evsurvey-gui.exe"
; lists it under "Open with" for the type.
Root: HKA; Subkey: "Software\Classes\.evsurvey"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.evsurvey"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-evsurvey"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.evsurvey\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "evsurvey project"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#GuiExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#GuiExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#GuiExe}\SupportedTypes"; ValueType: string; ValueName: ".evsurvey"; ValueData: ""; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,evsurvey}"; Flags: nowait postinstall skipifsilent
; Windows 11 24H2 and later show Wi-Fi scan results only to desktop apps allowed to use
; Location; evsurvey also explains this, with the same button, at the first refused scan.
Filename: "ms-settings:privacy-location"; Description: "Open Windows Location settings (Wi-Fi scanning needs ""Let desktop apps access your location"")"; Flags: shellexec nowait postinstall skipifsilent unchecked
