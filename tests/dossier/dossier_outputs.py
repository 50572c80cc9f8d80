"""Switch outputs as the vendors' documentation prints them (addresses of the demo site)."""

# Cisco Catalyst 2960-X / 3850 "show mac address-table" (IOS 15), with the CPU entries
IOS_MAC_TABLE = """\
          Mac Address Table
-------------------------------------------

Vlan    Mac Address       Type        Ports
----    -----------       --------    -----
 All    0100.0ccc.cccc    STATIC      CPU
 All    0100.0ccc.cccd    STATIC      CPU
 All    0180.c200.0000    STATIC      CPU
 All    ffff.ffff.ffff    STATIC      CPU
 100    0200.0001.0006    DYNAMIC     Gi1/0/1
 100    0200.0001.0007    DYNAMIC     Gi1/0/2
 300    0004.f2aa.0102    DYNAMIC     Gi1/0/21
 100    0050.7966.6801    DYNAMIC     Gi1/0/23
 100    0200.0001.8002    DYNAMIC     Gi1/0/24
 950    0200.0001.8002    DYNAMIC     Gi1/0/24
Total Mac Addresses for this criterion: 10
"""

# Catalyst 6500 / 4500 layout (Supervisor 720, IOS 12.2SX)
IOS_MAC_TABLE_6500 = """\
Legend: * - primary entry
        age - seconds since last seen
        n/a - not available

  vlan   mac address     type    learn     age              ports
------+----------------+--------+-----+----------+--------------------------
*  100  0200.0001.0006   dynamic  Yes          5   Gi1/0/1
*  130  0200.0001.0003   dynamic  Yes         20   Gi1/0/2
     -  0000.0c07.ac64   static   No          -   Router
"""

IOS_INTERFACES_STATUS = """\
Port      Name               Status       Vlan       Duplex  Speed Type
Gi1/0/1   Prises salle s101  connected    100        a-full a-1000 10/100/1000BaseTX
Gi1/0/2   Prises salle s101  connected    100        a-full a-1000 10/100/1000BaseTX
Gi1/0/3   Prises salle s101  notconnect   100          auto   auto 10/100/1000BaseTX
Gi1/0/4                      disabled     100          auto   auto 10/100/1000BaseTX
Gi1/0/21  Telephones         connected    300        a-full  a-100 10/100/1000BaseTX
Gi1/0/23                     connected    100        a-full a-1000 10/100/1000BaseTX
Gi1/0/24  Liaison montante c connected    trunk      a-full a-1000 10/100/1000BaseTX
"""

# ArubaOS-Switch 16.x (2530/2930F) "show mac-address"
PROCURVE_MAC_TABLE = """\

 Status and Counters - Port Address Table

  MAC Address       Port  VLAN
  ----------------- ----- ----
  020000-000007     1     100
  020000-000008     2     100
  0004f2-aa0102     21    300
  020000-008003     24    100
  020000-008003     24    950
"""

# Older ProCurve (K.14 and before): no VLAN column, lettered modules
PROCURVE_MAC_TABLE_OLD = """\
 Status and Counters - Port Address Table

  MAC Address   Located on Port
  ------------- ---------------
  0001e6-a7e1a0 A1
  080009-60fb42 Trk1
"""

PROCURVE_INTERFACES_BRIEF = """\

 Status and Counters - Port Status

                  | Intrusion                           MDI  Flow  Bcast
  Port  Type      | Alert     Enabled Status Mode       Mode Ctrl  Limit
  ----- --------- + --------- ------- ------ ---------- ---- ----- ------
  1     100/1000T | No        Yes     Up     1000FDx    MDIX off   0
  2     100/1000T | No        Yes     Up     1000FDx    MDI  off   0
  3     100/1000T | No        Yes     Down   1000FDx    Auto off   0
  4     100/1000T | No        No      Down   1000FDx    Auto off   0
  21    100/1000T | No        Yes     Up     100FDx     MDI  off   0
  23    100/1000T | No        Yes     Down   1000FDx    Auto off   0
  24    100/1000T | No        Yes     Up     1000FDx    MDIX off   0
"""

# ArubaOS-Switch "show lldp info remote-device" (layout of the ntc-templates capture)
PROCURVE_LLDP = """\

 LLDP Remote Devices Information

  LocalPort | ChassisId          PortId             PortDescr SysName
  --------- + ------------------ ------------------ --------- ------------------
  24        | 020000-000101      1                  1         sw-coeur-0679901y
"""

# Running configuration of sw-acces1-0679901y as backed up (port 22 moved to VLAN 100)
PROCURVE_RUNNING = """\
; J9776A Configuration Editor; Created on release #YA.16.10.0003
hostname "sw-acces1-0679901y"
interface 1
   name "Prises salle s101"
   exit
interface 20
   name "Prises salle s101"
   exit
interface 24
   name "Liaison montante coeur"
   exit
vlan 1
   name "DEFAULT_VLAN"
   no untagged 1-22,24
   untagged 23
   no ip address
   exit
vlan 100
   name "PEDAGOGIE"
   untagged 1-20,22
   tagged 24
   exit
vlan 110
   name "WIFI_PEDA"
   tagged 24
   exit
vlan 300
   name "TOIP"
   untagged 21
   tagged 24
   exit
vlan 950
   name "MANAGEMENT"
   ip address 10.64.15.3 255.255.255.0
   tagged 24
   exit
"""
